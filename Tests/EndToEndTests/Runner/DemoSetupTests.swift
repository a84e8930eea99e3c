import Foundation
import Testing

/// `make demo`'s set-up as a user meets it: a fresh clone may sit in a private (0700) directory,
/// such as root's home or one made by `mktemp -d`, which the `postgres` server user cannot enter.
@Suite("make demo set-up")
struct DemoSetupTests {
    @Test("the demo's cluster starts and answers from inside a 0700 directory")
    func clusterInsideAPrivateDirectory() throws {
        let files = FileManager.default
        let privateDirectory = files.temporaryDirectory.appendingPathComponent(
            "chainetl-private-\(UInt64.random(in: 0...UInt64.max))")
        try files.createDirectory(
            at: privateDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let clusterRoot = privateDirectory.appendingPathComponent("work/pg")
        defer {
            _ = try? Self.withPostgres(["--dir", clusterRoot.path, "--stop"])
            // As root the cluster lives where the server user can reach it; the file names the place.
            let located = clusterRoot.appendingPathComponent("cluster-location")
            if let elsewhere = try? String(contentsOf: located, encoding: .utf8) {
                try? files.removeItem(atPath: elsewhere.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            try? files.removeItem(at: privateDirectory)
        }

        let (status, output) = try Self.withPostgres(["--dir", clusterRoot.path, "--", "psql", "-XAtc", "SELECT 6 * 7"])
        #expect(status == 0, "\(output)")
        #expect(output.split(separator: "\n").contains("42"), "\(output)")
        // The private directory itself was left private.
        let attributes = try files.attributesOfItem(atPath: privateDirectory.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
    }

    /// Runs `.ci/with-postgres arguments…`; returns its exit status and combined output.
    private static func withPostgres(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = ChainETLProcess.packageRoot.appendingPathComponent(".ci/with-postgres")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        // The suite's own cluster must not leak into this one.
        for name in ["PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "DATABASE_URL"] { environment[name] = nil }
        environment["CHAINETL_PG_PORT"] = "54391"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

@Suite("chainetl --version")
struct VersionFlagTests {
    @Test("prints the version and exits 0")
    func printsTheVersion() throws {
        let output = try ChainETLProcess.run(["--version"])
        #expect(output.exitCode == 0, "\(output.stderr)")
        #expect(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }
}

@Suite("chainetl outside the repository")
struct OutsideRepositoryTests {
    @Test("migrate works from any directory with the migrations built into the binary")
    func migrateFromAnywhere() throws {
        let databaseURL = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"])
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chainetl-elsewhere-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let output = try ChainETLProcess.run(
            ["migrate", "--database-url", databaseURL], environment: ["CHAINETL_SCHEMAS": ""], directory: elsewhere)
        #expect(output.exitCode == 0, "\(output.stderr)")
        #expect(output.stderr.contains("migrations built into chainetl") || output.stderr.contains("applied"))
        #expect(!output.stderr.contains("no schemas/ folder"))
    }
}

import Foundation
import Testing

/// Runs the built `chainetl` binary the way a user would: arguments, environment, exit code,
/// stdout and stderr.
struct ChainETLProcess {
    struct Output {
        var exitCode: Int32
        var stdout: String
        var stderr: String

        var stderrLines: [Substring] { stderr.split(separator: "\n") }

        /// The last stderr line, decoded as JSON (the run summary in JSON log mode).
        func lastLineJSON() throws -> [String: Any] {
            let line = try #require(stderrLines.last, "no stderr output")
            return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
    }

    /// `CHAINETL_BIN` (set by `make test`), else `.build/debug/chainetl` of this package.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["CHAINETL_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent(".build/debug/chainetl")
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    let process = Process()
    let stdoutFile: URL
    let stderrFile: URL

    /// The explicit opt-in that makes the binary accept the `test/…` stage kinds (ChainETLTestSupport),
    /// which the pipelines of these tests use; a user's binary never registers them.
    static let testStagesEnvironment = ["CHAINETL_TEST_STAGES": "1"]

    /// Starts `chainetl arguments…` in `directory` with the test kinds' opt-in and `environment` added
    /// to this process's environment.
    init(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) throws {
        let binary = Self.binary
        #expect(
            FileManager.default.isExecutableFile(atPath: binary.path),
            "build the binary first (swift build --product chainetl) or set CHAINETL_BIN")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chainetl-e2e-out-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        stdoutFile = scratch.appendingPathComponent("stdout")
        stderrFile = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(Self.testStagesEnvironment) { _, new in new }
            .merging(environment) { _, new in new }
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
    }

    /// Runs to completion.
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) throws -> Output
    {
        try ChainETLProcess(arguments, environment: environment, directory: directory).wait()
    }

    func wait() throws -> Output {
        process.waitUntilExit()
        return Output(
            exitCode: process.terminationStatus,
            stdout: try String(contentsOf: stdoutFile, encoding: .utf8),
            stderr: try String(contentsOf: stderrFile, encoding: .utf8))
    }

    /// What the process has printed to stderr so far.
    var stderrSoFar: String {
        (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
    }

    /// Polls `condition` every 20 ms for up to `seconds`; true once it holds.
    static func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return condition()
    }
}

/// A throwaway folder with a uniquely named pipeline and a workdir.
struct E2EPipeline {
    let root: URL
    let name: String
    let file: URL
    let workdir: URL
    let databaseURL: String

    init(_ body: String) throws {
        databaseURL = try #require(
            ProcessInfo.processInfo.environment["DATABASE_URL"],
            "DATABASE_URL is not set: run the suite with `make test`")
        name = "e2e_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        root = FileManager.default.temporaryDirectory.appendingPathComponent("chainetl-e2e-\(name)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        file = root.appendingPathComponent("\(name).yaml")
        workdir = root.appendingPathComponent("work")
        try "version: 1\nname: \(name)\n\(body)".write(to: file, atomically: true, encoding: .utf8)
    }

    /// The environment a user would have: the database and where the migrations are.
    var environment: [String: String] {
        [
            "DATABASE_URL": databaseURL,
            "CHAINETL_SCHEMAS": ChainETLProcess.packageRoot.appendingPathComponent("schemas").path,
        ].merging(ChainETLProcess.testStagesEnvironment) { _, new in new }
    }

    /// `chainetl run <file> --workdir <workdir> …`.
    func run(_ extra: [String], environment extraEnvironment: [String: String] = [:]) throws -> ChainETLProcess.Output {
        try ChainETLProcess.run(
            ["run", file.path, "--workdir", workdir.path] + extra,
            environment: environment.merging(extraEnvironment) { _, new in new })
    }

    func start(_ extra: [String]) throws -> ChainETLProcess {
        try ChainETLProcess(["run", file.path, "--workdir", workdir.path] + extra, environment: environment)
    }

    func checkpoint(_ stage: String, _ day: String) -> URL {
        workdir.appendingPathComponent("checkpoints/\(name)/\(day)/\(stage)")
    }
}

import ChainETLCore
import ChainETLPostgres
import ChainETLSimulator
import Foundation
import Logging
import Testing

/// A fresh PostgreSQL database for one test, created on the cluster of `DATABASE_URL`, so tests
/// that run pipelines never see each other's ledger, loads or aggregates.
final class E2EDatabase {
    let name: String
    /// The libpq URL of the new database (DATABASE_URL with its database name replaced).
    let url: String
    private let adminURL: String
    private let connection: PostgresConnection

    init() throws {
        adminURL = try #require(
            ProcessInfo.processInfo.environment["DATABASE_URL"],
            "DATABASE_URL is not set: run the suite with `make test` (or under .ci/with-postgres)")
        name = "e2e_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let admin = try PostgresConnection.connect(url: adminURL, applicationName: "e2e-admin", logger: Self.logger)
        defer { admin.close() }
        _ = try admin.execute(SQLQuery(unsafeSQL: "CREATE DATABASE \(SQLIdentifier.quote(name))"))
        url = try Self.replacingDatabase(in: adminURL, with: name)
        connection = try PostgresConnection.connect(url: url, applicationName: "e2e-check", logger: Self.logger)
    }

    /// Closes the check connection and drops the database (the runner's sessions are gone by then).
    func drop() {
        connection.close()
        guard
            let admin = try? PostgresConnection.connect(
                url: adminURL, applicationName: "e2e-admin", logger: Self.logger)
        else { return }
        defer { admin.close() }
        _ = try? admin.execute(SQLQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(SQLIdentifier.quote(name)) WITH (FORCE)"))
    }

    /// Runs a statement that returns nothing of interest.
    func execute(_ sql: String) throws {
        _ = try connection.execute(SQLQuery(sql))
    }

    /// The first column of every row of `sql` (NULL as the text `null`).
    func strings(_ sql: String, _ bindings: [(any PostgresBindable)?] = []) throws -> [String] {
        let rows = try connection.execute(SQLQuery(sql, bindings))
        return (0..<rows.count).map { rows.value(row: $0, column: 0) ?? "null" }
    }

    /// The single value of a one-row, one-column query.
    func scalar(_ sql: String, _ bindings: [(any PostgresBindable)?] = []) throws -> String {
        let values = try strings(sql, bindings)
        #expect(values.count == 1, "expected one row from: \(sql)")
        return values.first ?? "null"
    }

    /// `md5` over every row of `table` as text, in text order: equal fingerprints mean byte-identical
    /// contents (every column, including timestamps).
    func fingerprint(of table: String) throws -> String {
        let quoted = SQLIdentifier.quote(table)
        return try scalar(
            "SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '-') FROM \(quoted) t"
        )
    }

    static let logger = Logger(label: "e2e") { _ in SwiftLogNoOpLogHandler() }

    /// `postgresql:///chainetl?host=…` → `postgresql:///<database>?host=…` (a `dbname=` query item too).
    static func replacingDatabase(in url: String, with database: String) throws -> String {
        var components = try #require(
            URLComponents(string: url), "DATABASE_URL must be a postgresql:// URL for the end-to-end tests")
        #expect(components.scheme == "postgresql" || components.scheme == "postgres")
        components.path = "/" + database
        if let items = components.queryItems, items.contains(where: { $0.name == "dbname" }) {
            components.queryItems = items.map {
                $0.name == "dbname" ? URLQueryItem(name: "dbname", value: database) : $0
            }
        }
        return try #require(components.string)
    }
}

/// The explorer simulator in this process, on a free loopback port, with a secret API key.
final class E2ESimulator {
    let server: SimulatorServer
    let apiKey: String
    let seed: UInt64
    let transfersPerDay: Int

    init(
        seed: UInt64, transfersPerDay: Int, faultRate: Double = 0, ratePerSecond: Int? = nil,
        latencyMilliseconds: Int = 0, latencyJitterMilliseconds: Int = 0
    ) throws {
        // Long and distinctive, so a leak anywhere is found by a plain substring search.
        apiKey = "E2ESECRET" + (0..<3).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 36) }.joined()
        self.seed = seed
        self.transfersPerDay = transfersPerDay
        let configuration = SimulatorConfiguration(
            port: 0, generator: GeneratorConfiguration(seed: seed, transfersPerDay: transfersPerDay), apiKey: apiKey,
            ratePerSecond: ratePerSecond, faultRate: faultRate, latencyMilliseconds: latencyMilliseconds,
            latencyJitterMilliseconds: latencyJitterMilliseconds)
        server = try SimulatorServer(configuration: configuration, logger: E2EDatabase.logger)
        try server.start()
    }

    func stop() { server.stop() }

    /// Explorer API requests served so far (every call, retries included).
    var requests: Int { server.stats.requests }

    /// Ground truth for `chainID` over `from...to`, from the same generator configuration.
    func truth(chainID: Int, from: String, to: String, includeTransfers: Bool) throws -> GroundTruthReport {
        try GroundTruth.compute(
            seed: seed, chainID: chainID, from: try #require(PartitionDay(from)), to: try #require(PartitionDay(to)),
            transfersPerDay: transfersPerDay, includeTransfers: includeTransfers)
    }
}

/// A pipeline file from `Fixtures/pipelines/`, run in place (so it finds `schemas/` and
/// `pipelines/sql/` of this package) against a test database, a simulator and a temp workdir.
/// Every output is kept, for the secret scan.
final class FixturePipeline {
    let name: String
    let file: URL
    let workdir: URL
    let database: E2EDatabase
    let simulator: E2ESimulator
    private(set) var outputs: [ChainETLProcess.Output] = []

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pipelines")

    init(_ name: String, database: E2EDatabase, simulator: E2ESimulator) throws {
        self.name = name
        self.database = database
        self.simulator = simulator
        file = Self.directory.appendingPathComponent("\(name).yaml")
        #expect(FileManager.default.fileExists(atPath: file.path), "missing fixture \(file.path)")
        workdir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chainetl-e2e-\(name)-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
    }

    /// What a user's shell would hold: the database, the simulator's URL and the key's variable.
    var environment: [String: String] {
        [
            "DATABASE_URL": database.url,
            "E2E_SIMULATOR_URL": simulator.server.baseURL,
            "E2E_EXPLORER_KEY": simulator.apiKey,
        ]
    }

    /// `chainetl run <fixture> --workdir <workdir> …` to completion.
    @discardableResult
    func run(_ extra: [String]) throws -> ChainETLProcess.Output {
        let output = try ChainETLProcess.run(
            ["run", file.path, "--workdir", workdir.path] + extra, environment: environment)
        outputs.append(output)
        return output
    }

    /// Starts `chainetl run` and returns without waiting.
    func start(_ extra: [String]) throws -> ChainETLProcess {
        try ChainETLProcess(["run", file.path, "--workdir", workdir.path] + extra, environment: environment)
    }

    /// The unit `stage`@`partition` of the JSON run report written by the run that printed `output`.
    func unitReport(of output: ChainETLProcess.Output, stage: String, partition: String) throws -> [String: Any] {
        let last = try #require(output.stderrLines.last, "no summary line")
        let runID: String
        if let object = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] {
            runID = try #require(object["run.id"] as? String)
        } else {
            runID = String(try #require(last.split(separator: " ").dropFirst().first).dropLast())
        }
        let report = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: workdir.appendingPathComponent("runs/\(runID).json"))) as? [String: Any])
        let units = try #require(report["units"] as? [[String: Any]])
        return try #require(
            units.first { $0["stage"] as? String == stage && $0["partition"] as? String == partition },
            "no unit \(stage)@\(partition) in run \(runID)")
    }

    /// Records the output of a process started with `start` (for the secret scan).
    func keep(_ output: ChainETLProcess.Output) { outputs.append(output) }

    func remove() { try? FileManager.default.removeItem(at: workdir) }
}

/// Finds a secret in files (gzip ones decompressed), in process output and in a database dump.
enum SecretScan {
    /// Relative paths of the files under `directory` that contain `secret`.
    static func files(under directory: URL, containing secret: String) throws -> [String] {
        let needle = Data(secret.utf8)
        var hits: [String] = []
        let enumerator = try #require(
            FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]))
        var scanned = 0
        for case let url as URL in enumerator {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            scanned += 1
            let data = try Data(contentsOf: url)
            var found = data.range(of: needle) != nil
            if !found && url.pathExtension == "gz" {
                // A `.tmp-*` part left by a kill may end early: scan what it holds.
                let reader = try GzipLineReader(path: url.path)
                do {
                    try reader.forEachLine { line in
                        if !found && Data(line).range(of: needle) != nil { found = true }
                    }
                } catch {
                    #expect(url.path.contains(".tmp-"), "\(url.path) is unreadable: \(error)")
                }
            }
            if found { hits.append(String(url.path.dropFirst(directory.path.count))) }
        }
        #expect(scanned > 0, "nothing to scan under \(directory.path)")
        return hits
    }

    /// `pg_dump` of the database as plain SQL (data and schema), for a secret search.
    static func dump(databaseURL: String) throws -> String {
        let bin = try #require(
            (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?
                .sorted { $0.compare($1, options: .numeric) == .orderedAscending }.last,
            "no PostgreSQL installation under /usr/lib/postgresql")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/lib/postgresql/\(bin)/bin/pg_dump")
        process.arguments = ["--no-owner", "-d", databaseURL]
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chainetl-e2e-dump-\(UInt64.random(in: 0...UInt64.max)).sql")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "pg_dump failed")
        return try String(contentsOf: output, encoding: .utf8)
    }
}

/// Set comparison with a readable failure: how many are missing or unexpected, and a few of each.
func expectSameRows(
    _ actual: [String], _ expected: [String], _ what: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    let actualSet = Set(actual)
    let expectedSet = Set(expected)
    #expect(!expectedSet.isEmpty, "\(what): nothing expected, so nothing is proved", sourceLocation: sourceLocation)
    #expect(actual.count == actualSet.count, "\(what): duplicate rows", sourceLocation: sourceLocation)
    let missing = expectedSet.subtracting(actualSet).sorted()
    let unexpected = actualSet.subtracting(expectedSet).sorted()
    #expect(
        missing.isEmpty && unexpected.isEmpty,
        """
        \(what): \(actualSet.count) rows, \(expectedSet.count) expected; \(missing.count) missing, \
        \(unexpected.count) unexpected
        missing e.g. \(missing.prefix(5))
        unexpected e.g. \(unexpected.prefix(5))
        """, sourceLocation: sourceLocation)
}

/// SQL rendering of a UTC timestamp as the ground truth writes it: `2026-11-20T00:00:12Z`.
func isoUTC(_ column: String) -> String {
    "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
}

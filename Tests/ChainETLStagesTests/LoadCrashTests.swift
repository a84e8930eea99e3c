import ChainETLCore
import ChainETLPostgres
import Foundation
import Testing

/// `kill -9` of the real `chainetl run` binary in the middle of a load's COPY, then reruns.
///
/// The binary is `CHAINETL_BIN` or `.build/debug/chainetl` (build it with
/// `swift build --product chainetl`). The runner works in a private schema through `PGOPTIONS`,
/// and reads the load's input from a `transfer/1` checkpoint this test writes.
@Suite("Load crash safety")
struct LoadCrashTests {
    static let rows = 60_000
    static let day = "2026-11-20"

    @Test("kill -9 mid-COPY leaves nothing; the rerun loads exactly the checkpoint; a third run inserts 0")
    func killedRunnerConverges() throws {
        let binary = Self.binary
        try #require(
            FileManager.default.isExecutableFile(atPath: binary.path),
            "build the binary first (swift build --product chainetl) or set CHAINETL_BIN")
        let databaseURL = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"])
        let admin = try LoadTestDatabase.connect()
        defer { admin.close() }
        let tag = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let schema = "load_crash_" + tag
        let stage = "load_" + tag
        try admin.execute(SQLQuery(unsafeSQL: "CREATE SCHEMA \(SQLIdentifier.quote(schema))"))
        defer { _ = try? admin.execute(SQLQuery(unsafeSQL: "DROP SCHEMA \(SQLIdentifier.quote(schema)) CASCADE")) }

        let root = FileManager.default.temporaryDirectory.appendingPathComponent("chainetl-load-crash-\(tag)")
        defer { try? FileManager.default.removeItem(at: root) }
        let workdir = root.appendingPathComponent("work")
        let pipeline = root.appendingPathComponent("crash.yaml")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try """
        version: 1
        name: crash
        chains:
          ethereum:
            chain_id: 1
            explorer: etherscan
            base_url: http://127.0.0.1:9/api
            rate_limit: { per_second: 1 }
            confirmations: 12
        stages:
          - id: dedupe
            uses: test/emit
            with: { rows: 1 }
          - id: \(stage)
            uses: load
            needs: [dedupe]
        """.write(to: pipeline, atomically: true, encoding: .utf8)

        let transfers = (1...Self.rows).map { LoadFixtureTransfer.number($0) }
        let writer = try CheckpointWriter(
            location: CheckpointLocation(
                workdir: workdir, pipeline: "crash", partition: PartitionDay(Self.day)!, stageID: "dedupe"),
            kind: "test/emit", recordSchema: "transfer/1")
        for transfer in transfers {
            try transfer.line.withUnsafeBytes { try writer.append(line: $0) }
        }
        try writer.commit(
            configHash: "fixture", inputs: [:], counts: RowCounts(rowsIn: Self.rows, rowsOut: Self.rows),
            startedAt: Date())

        let environment = [
            "DATABASE_URL": databaseURL,
            "CHAINETL_SCHEMAS": Self.packageRoot.appendingPathComponent("schemas").path,
            "PGOPTIONS": "-c search_path=\(schema)",
            // The pipeline's `dedupe` is a `test/emit` stage: the binary accepts test kinds only on request.
            "CHAINETL_TEST_STAGES": "1",
        ]
        let arguments = [
            "run", pipeline.path, "--workdir", workdir.path, "--partition", Self.day, "--select", stage,
            "--log-format", "json",
        ]
        let applicationName = "chainetl \(stage) \(Self.day)"
        func copyRunning() -> Bool {
            let rows = try? admin.execute(
                SQLQuery(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'COPY%'",
                    [applicationName]))
            return (try? rows?.int(row: 0, column: 0)) == 1
        }
        func backendGone() -> Bool {
            let rows = try? admin.execute(
                SQLQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", [applicationName]))
            return (try? rows?.int(row: 0, column: 0)) == 0
        }
        func scalar(_ sql: String) throws -> String? {
            try admin.execute(
                SQLQuery(unsafeSQL: sql.replacingOccurrences(of: "$schema", with: SQLIdentifier.quote(schema)))
            )
            .value(row: 0, column: 0)
        }

        // 1. Killed while the COPY streams.
        let victim = try Self.start(arguments, environment: environment)
        #expect(Self.waitUntil(seconds: 60, copyRunning), "the load's COPY never started")
        Thread.sleep(forTimeInterval: 0.3)
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        #expect(victim.terminationReason == .uncaughtSignal)
        #expect(Self.waitUntil(seconds: 30, backendGone), "the killed load's backend did not go away")
        #expect(try scalar("SELECT count(*) FROM $schema.transfers") == "0")
        #expect(try scalar("SELECT count(*) FROM $schema.etl_loads") == "0")

        // 2. The rerun loads exactly the checkpoint.
        let rerunLog = root.appendingPathComponent("rerun.stderr")
        let rerun = try Self.start(arguments, environment: environment, stderr: rerunLog)
        rerun.waitUntilExit()
        #expect(rerun.terminationStatus == 0, "\((try? String(contentsOf: rerunLog, encoding: .utf8)) ?? "")")
        let expectedSum = transfers.reduce(0) { $0 + Int($1.value)! }
        #expect(try scalar("SELECT count(*) FROM $schema.transfers") == "\(Self.rows)")
        #expect(try scalar("SELECT count(DISTINCT transfer_id) FROM $schema.transfers") == "\(Self.rows)")
        #expect(try scalar("SELECT sum(value)::text FROM $schema.transfers") == "\(expectedSum)")
        #expect(
            try scalar("SELECT rows_inserted || '/' || rows_held FROM $schema.etl_loads") == "\(Self.rows)/\(Self.rows)"
        )

        // 3. Running the same partition again inserts nothing.
        let third = try Self.start(arguments, environment: environment)
        third.waitUntilExit()
        #expect(third.terminationStatus == 0)
        #expect(
            try scalar(
                """
                SELECT rows_out || '/' || rows_duplicates FROM $schema.etl_stage_runs
                WHERE stage = '\(stage)' AND status = 'succeeded' ORDER BY id DESC LIMIT 1
                """) == "0/\(Self.rows)")
        #expect(try scalar("SELECT count(*) FROM $schema.transfers") == "\(Self.rows)")
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["CHAINETL_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent(".build/debug/chainetl")
    }

    static func start(_ arguments: [String], environment: [String: String], stderr: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        if let stderr {
            _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: stderr)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    static func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return condition()
    }
}

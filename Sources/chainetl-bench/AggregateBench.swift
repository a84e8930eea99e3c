import ChainETLCore
import ChainETLPostgres
import ChainETLSimulator
import ChainETLStages
import Foundation
import Logging

/// The aggregate SQL files (`pipelines/sql/`) through the real `aggregate` stage ($1 day start,
/// $2 day end, $3 day bound by ChainETLPostgres), over `rows` transfers spread across 30 days of
/// an indexed, month-partitioned `transfers`: one day (SPEC: 0.05 s for daily_token_volume,
/// independent of history) and a full rebuild of every day (SPEC: ~2.3 s over 1M rows).
///
/// Needs `DATABASE_URL` (`make bench` runs under `.ci/with-postgres`); works in its own schema.
/// The rows are generated server-side (`generate_series`): the load section measures loading.
struct AggregateBenchSection: BenchSection {
    let name = "aggregate"
    private let schema = "chainetl_bench_aggregate"
    private let firstDay = PartitionDay("2026-11-01")!
    private let days = 30
    /// The demo pipeline's aggregate files, in its order.
    private let files = [
        "sql/token_metadata.sql", "sql/daily_token_volume.sql", "sql/daily_address_volume.sql",
        "sql/hourly_token_volume.sql", "sql/holder_balances.sql", "sql/entity_daily_volume.sql",
        "sql/token_summary.sql", "sql/execution_daily_volume.sql",
    ]

    func run(_ context: BenchContext) throws -> [BenchMeasure] {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
            throw BenchError.usage(
                "the aggregate section needs DATABASE_URL; run it through .ci/with-postgres or make bench")
        }
        let repository = try Self.repositoryRoot()
        var logger = Logger(label: "chainetl.bench.aggregate")
        logger.logLevel = .warning
        let connection = try PostgresConnection.connect(url: url, applicationName: "chainetl-bench", logger: logger)
        defer { connection.close() }
        let quoted = SQLIdentifier.quote(schema)
        try connection.execute(SQLQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(quoted) CASCADE"))
        try connection.execute(SQLQuery(unsafeSQL: "CREATE SCHEMA \(quoted)"))
        defer { _ = try? connection.execute(SQLQuery(unsafeSQL: "DROP SCHEMA \(quoted) CASCADE")) }
        try connection.execute(SQLQuery(unsafeSQL: "SET search_path TO \(quoted)"))
        try Migrator(directory: repository.appendingPathComponent("schemas")).migrate(connection)

        let (_, fill) = try BenchTiming.measure { try generateTransfers(connection, rows: context.rows) }
        try connection.execute(SQLQuery(unsafeSQL: "ANALYZE transfers"))
        let stageURL = url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
        let runner = AggregateRunner(
            repository: repository, databaseURL: stageURL, workdir: context.scratch.appendingPathComponent("aggregate"),
            logger: logger)
        let allDays = (0..<days).map { firstDay.advanced(by: $0) }
        let oneDay = firstDay.advanced(by: days / 2)

        // Full rebuilds first (they also warm the cache the same way for every file), then one day.
        let tokenVolume = ["sql/daily_token_volume.sql"]
        let rebuildTokenVolume = try BenchTiming.measure {
            for day in allDays { try runner.run(tokenVolume, day: day) }
        }
        let rebuildAll = try BenchTiming.measure { for day in allDays { try runner.run(files, day: day) } }
        var measures: [BenchMeasure] = [
            BenchMeasure(
                measure: "aggregate data",
                value: "\(context.rows) transfers over \(days) days (\(context.rows / days)/day), "
                    + String(format: "generated in %.1f s", fill.wall)),
            .rate(
                "aggregate daily_token_volume full rebuild s", rebuildTokenVolume.elapsed.wall,
                baseline: 2.3 * Double(context.rows) / 1_000_000, label: "SPEC, scaled to N"),
            .rate(
                "aggregate all \(files.count) files full rebuild s", rebuildAll.elapsed.wall, baseline: nil),
        ]
        let oneDayTokenVolume = try Self.best(of: 3) { try runner.run(tokenVolume, day: oneDay) }
        measures.append(
            .rate("aggregate daily_token_volume one day s", oneDayTokenVolume, baseline: 0.05, label: "SPEC"))
        let oneDayAll = try Self.best(of: 3) { try runner.run(files, day: oneDay) }
        measures.append(.rate("aggregate all \(files.count) files one day s", oneDayAll, baseline: nil))
        for file in files where file != tokenVolume[0] {
            let seconds = try Self.best(of: 2) { try runner.run([file], day: oneDay) }
            let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            measures.append(.rate("aggregate \(name) one day s", seconds, baseline: nil))
        }
        return measures
    }

    /// `rows` transfers of the simulator's chain-1 tokens spread evenly over the 30 days: Zipf-like
    /// accounts out of 4,000, 3 % mints, 2 % burns, uint256-sized values, 8 logs per block.
    private func generateTransfers(_ connection: PostgresConnection, rows: Int) throws {
        try connection.execute(
            SQLQuery("SELECT chainetl_ensure_transfer_partition($1::timestamptz)", [firstDay.start]))
        let tokens = SimulatedChain.tokens(chainID: 1).filter { $0.standard == .erc20 }.map(\.address)
        let zero = SimulatedChain.zeroAddress
        let account = "'0x' || lpad(to_hex((4000 * power(random(), 3))::int + 1), 40, '0')"
        let sql = """
            INSERT INTO transfers (transfer_id, chain_id, block_number, block_time, block_hash, tx_hash, log_index,
                occurrence, token_address, from_address, to_address, value, token_symbol, token_name,
                token_decimals, source, pipeline)
            SELECT decode(md5(i::text), 'hex'), 1, 20000000 + i / 8,
                   $1::timestamptz + ((i * $3::bigint * 86400) / $2::bigint) * interval '1 second',
                   '0x' || md5('b' || (i / 8)::text) || md5('c' || (i / 8)::text),
                   '0x' || md5('t' || (i / 3)::text) || md5('u' || (i / 3)::text),
                   (i % 8)::int, 0, (string_to_array($4, ','))[1 + (i % array_length(string_to_array($4, ','), 1))],
                   CASE WHEN i % 33 = 0 THEN $5 ELSE \(account) END,
                   CASE WHEN i % 50 = 1 THEN $5 ELSE \(account) END,
                   floor(random() * 1e21)::numeric, NULL, NULL, 18, 'etherscan-logs', 'bench'
            FROM generate_series(0::bigint, $2::bigint - 1) AS i
            """
        try connection.execute(SQLQuery(sql, [firstDay.start, rows, days, tokens.joined(separator: ","), zero]))
    }

    /// The fastest of `count` runs of `body`, in wall seconds (the machine is shared).
    private static func best(of count: Int, _ body: () throws -> Void) throws -> Double {
        var best = Double.infinity
        for _ in 0..<count { best = min(best, try BenchTiming.measure(body).elapsed.wall) }
        return best
    }

    /// The first folder upward from the current directory holding `schemas/0001_ledger.sql` and `pipelines/sql/`.
    static func repositoryRoot() throws -> URL {
        var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        while true {
            let manager = FileManager.default
            if manager.fileExists(atPath: directory.appendingPathComponent("schemas/0001_ledger.sql").path),
                manager.fileExists(atPath: directory.appendingPathComponent("pipelines/sql").path)
            {
                return directory
            }
            let parent = directory.deletingLastPathComponent()
            guard parent.path != directory.path else {
                throw BenchError.usage("no schemas/ and pipelines/sql/ found upward; run from the repository")
            }
            directory = parent
        }
    }
}

/// Runs the `aggregate` stage for a list of files and one day, as the runner would.
private struct AggregateRunner {
    let repository: URL
    let databaseURL: String
    let workdir: URL
    let logger: Logger

    func run(_ files: [String], day: PartitionDay) throws {
        let location = SourceLocation(file: "bench.yaml", line: 1, column: 1)
        func node(_ value: ConfigValue) -> ConfigNode { ConfigNode(value: value, location: location) }
        let parameters = node(
            .mapping([
                (key: "files", keyLocation: location, value: node(.sequence(files.map { node(.scalar($0)) }))),
                (key: "work_mem", keyLocation: location, value: node(.scalar("64MB"))),
            ]))
        let spec = StageSpec(id: "aggregate", kind: "aggregate", needs: [], parameters: parameters, location: location)
        let pipeline = PipelineSpec(
            name: "bench", file: repository.appendingPathComponent("pipelines/bench.yaml"), version: 1, chains: [],
            stages: [spec])
        let stage = try StageRegistry.standard.makeStage(spec, pipeline: pipeline)
        let output = CheckpointLocation(workdir: workdir, pipeline: "bench", partition: day, stageID: "aggregate")
        let context = StageContext(
            pipeline: pipeline, spec: spec, partition: day, workdir: workdir, runID: "bench", logger: logger,
            options: StageOptions(), eventSink: SilentEvents(), progressReporter: SilentProgress(),
            services: ExtractionServices(), inputs: [:], databaseURL: databaseURL,
            makeOutput: { try CheckpointWriter(location: output, kind: spec.kind, recordSchema: stage.recordSchema) })
        defer {
            context.outputIfOpened?.discard()
            context.closeDatabase()
        }
        _ = try stage.run(context)
    }
}

private struct SilentEvents: StageEventSink {
    func record(_ event: StageEvent) {}
}

private struct SilentProgress: StageProgressReporting {
    func report(stageID: String, partition: PartitionDay, _ snapshot: ProgressSnapshot) {}
}

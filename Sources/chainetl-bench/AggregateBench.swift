import ChainETLCore
import ChainETLPostgres
import ChainETLSimulator
import ChainETLStages
import Foundation
import Logging

/// The aggregate SQL files (`pipelines/sql/`) through the real `aggregate` stage ($1 day start,
/// $2 day end, $3 day bound by ChainETLPostgres) at two history sizes, to show that one day's
/// cost does not grow with history (SPEC §12). docs/aggregates.md ("Cost") has the numbers.
///
/// Every day holds the same `rows / 30` transfers (33,333 at the default 1M), on a 150-day
/// calendar from 2026-07-01 (five monthly partitions of `transfers`):
/// - H1 (≈ N): the 30 days ending 2026-11-22, aggregated from empty tables, oldest first, one
///   stage call per file and day: the full rebuild of every file. Its newest 5 days are the
///   nightly case, a day aggregated for the first time on top of all history.
/// - H2 (≈ 5N): 115 older days are added and aggregated (one stage call per day, all files), then
///   5 new days after H1 are the nightly days. Rebuilding all 150 days from scratch as well would
///   take another ~5 minutes at 1M, so at H2 only daily_token_volume is rebuilt in full.
/// The one-day time of a file is its fastest nightly day; a rerun of the newest day (all files in
/// one stage call, best of 3) is measured too. The H2 rows print the H1 value as their baseline,
/// so the ratio column is one-day(H2) / one-day(H1): ≈ 1.00x means independent of history.
///
/// Accounts: 70 % Zipf-like out of 4,000 regulars, 30 % drawn from ~6,000 addresses that move
/// with the day, so the holder population (holder_balances) grows with history as on a real
/// chain. Needs `DATABASE_URL` (`make bench` runs under `.ci/with-postgres`); works in its own
/// schema. The rows are generated server-side (`generate_series`): the load section measures
/// loading.
struct AggregateBenchSection: BenchSection {
    let name = "aggregate"
    private let schema = "chainetl_bench_aggregate"
    /// Day 0 of the calendar.
    private let firstDay = PartitionDay("2026-07-01")!
    private let daysAtH1 = 30
    private let historyFactor = 5
    /// Days timed as nightly runs at each history size.
    private let nightlyDays = 5
    /// The demo pipeline's aggregate files, in its order.
    private let files = [
        "sql/token_metadata.sql", "sql/daily_token_volume.sql", "sql/daily_address_volume.sql",
        "sql/hourly_token_volume.sql", "sql/holder_balances.sql", "sql/entity_daily_volume.sql",
        "sql/token_summary.sql", "sql/execution_daily_volume.sql",
    ]
    private let tokenVolume = "sql/daily_token_volume.sql"

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

        let stageURL = url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
        let runner = AggregateRunner(
            repository: repository, databaseURL: stageURL, workdir: context.scratch.appendingPathComponent("aggregate"),
            logger: logger)
        let perDay = max(context.rows / daysAtH1, 1)
        let totalDays = daysAtH1 * historyFactor
        let h1Label = Self.label(context.rows)
        let h2Label = Self.label(context.rows * historyFactor)
        // Day indexes: older history, H1, then H2's nightly days.
        let h1Days = (totalDays - daysAtH1 - nightlyDays)..<(totalDays - nightlyDays)
        let olderDays = 0..<h1Days.lowerBound
        let h2NightlyDays = h1Days.upperBound..<totalDays

        // H1: generate, rebuild every file day by day (the newest days are the nightly ones).
        let h1Generation = try BenchTiming.measure { try generateTransfers(connection, perDay: perDay, days: h1Days) }
        try connection.execute(SQLQuery(unsafeSQL: "ANALYZE transfers"))
        var h1 = Timings()
        for index in h1Days {
            let nightly = index >= h1Days.upperBound - nightlyDays
            if nightly && index == h1Days.upperBound - nightlyDays { try vacuumOutputs(connection) }
            try h1.aggregateFileByFile(runner, files: files, day: day(index), nightly: nightly)
        }
        h1.rerunAll = try Self.best(of: 3) { try runner.run(files, day: day(h1Days.upperBound - 1)) }

        // H2: older days and the new nightly days.
        let h2Generation = try BenchTiming.measure {
            try generateTransfers(connection, perDay: perDay, days: olderDays)
            try generateTransfers(connection, perDay: perDay, days: h2NightlyDays)
        }
        try connection.execute(SQLQuery(unsafeSQL: "ANALYZE transfers"))
        var olderBuild = Elapsed(wall: 0, cpu: 0)
        for index in olderDays { olderBuild = olderBuild + (try runner.run(files, day: day(index))) }
        try vacuumOutputs(connection)
        var h2 = Timings()
        for index in h2NightlyDays {
            try h2.aggregateFileByFile(runner, files: files, day: day(index), nightly: true)
        }
        h2.rerunAll = try Self.best(of: 3) { try runner.run(files, day: day(totalDays - 1)) }
        var tokenVolumeRebuild = Elapsed(wall: 0, cpu: 0)
        for index in 0..<totalDays {
            tokenVolumeRebuild = tokenVolumeRebuild + (try runner.run([tokenVolume], day: day(index)))
        }
        h2.rebuild[tokenVolume] = tokenVolumeRebuild

        func history(_ label: String, days: Int, generation: Elapsed, note: String) -> BenchMeasure {
            let generated = String(format: "%.0f", generation.wall)
            return BenchMeasure(
                measure: "aggregate \(label) history",
                value: "\(BenchFormat.number(Double(perDay * days))) transfers, \(days) days × "
                    + "\(BenchFormat.number(Double(perDay))) \(note) (+\(generated) s to generate)")
        }
        var measures = [history(h1Label, days: daysAtH1, generation: h1Generation.elapsed, note: "(rebuilt)")]
        measures += rows(h1, label: h1Label, history: perDay * daysAtH1, baseline: nil)
        let added = "(\(olderDays.count) older added)"
        measures.append(history(h2Label, days: totalDays, generation: h2Generation.elapsed, note: added))
        measures.append(
            BenchMeasure(
                measure: "aggregate \(h2Label) \(olderDays.count) older days, all \(files.count) files s",
                value: Self.seconds(olderBuild)))
        measures += rows(h2, label: h2Label, history: perDay * totalDays, baseline: (h1, h1Label))
        return measures
    }

    /// `VACUUM ANALYZE` of every table the files write, then a checkpoint, before the nightly
    /// days: as autovacuum would between two nights, and so that neither it nor the writeback of
    /// the history just built runs during the timed days.
    private func vacuumOutputs(_ connection: PostgresConnection) throws {
        let tables = [
            "token_metadata", "daily_token_volume", "daily_address_volume", "hourly_token_volume",
            "daily_holder_flows", "holder_balances", "token_holder_counts", "entity_daily_volume",
            "token_summary_by_day", "execution_daily_volume",
        ]
        try connection.execute(
            SQLQuery(unsafeSQL: "VACUUM ANALYZE " + tables.map(SQLIdentifier.quote).joined(separator: ", ")))
        // Needs superuser or pg_checkpoint (the .ci/with-postgres user has it); optional otherwise.
        _ = try? connection.execute(SQLQuery(unsafeSQL: "CHECKPOINT"))
    }

    /// The calendar day at `index`.
    private func day(_ index: Int) -> PartitionDay { firstDay.advanced(by: index) }

    /// Timings at one history size: wall seconds, and the server backend's CPU seconds.
    private struct Timings {
        /// Per file over every day aggregated file by file.
        var rebuild: [String: Elapsed] = [:]
        /// Fastest nightly day per file (wall and CPU minima taken separately).
        var oneDay: [String: Elapsed] = [:]
        /// Fastest nightly day, all files.
        var oneDayAll = Elapsed.slowest
        /// Fastest rerun of the newest day, all files in one stage call.
        var rerunAll = Elapsed.slowest

        /// Aggregates `day` one stage call per file, adding to `rebuild` (and, for a nightly day,
        /// to the one-day minima).
        mutating func aggregateFileByFile(_ runner: AggregateRunner, files: [String], day: PartitionDay, nightly: Bool)
            throws
        {
            var total = Elapsed(wall: 0, cpu: 0)
            for file in files {
                let elapsed = try runner.run([file], day: day)
                rebuild[file] = (rebuild[file] ?? Elapsed(wall: 0, cpu: 0)) + elapsed
                total = total + elapsed
                if nightly { oneDay[file] = (oneDay[file] ?? .slowest).fastest(elapsed) }
            }
            if nightly { oneDayAll = oneDayAll.fastest(total) }
        }
    }

    /// The table rows of one history size; `baseline` (the smaller history) turns the one-day rows
    /// into ratios. Values are wall seconds with the server's CPU seconds in parentheses.
    private func rows(_ timings: Timings, label: String, history: Int, baseline: (timings: Timings, label: String)?)
        -> [BenchMeasure]
    {
        let prefix = "aggregate \(label)"
        func oneDay(_ name: String, _ ours: Elapsed?, _ theirs: Elapsed?, spec: Double? = nil) -> BenchMeasure {
            let ours = ours ?? Elapsed(wall: .nan, cpu: .nan)
            let measure = "\(prefix) one day \(name) s"
            if let theirs, let baseline {
                return BenchMeasure(
                    measure: measure, value: Self.seconds(ours),
                    baseline: "\(Self.seconds(theirs)) at \(baseline.label)", ratio: Self.ratio(ours, theirs))
            }
            var row = BenchMeasure.rate(measure, ours.wall, baseline: spec, label: spec == nil ? "" : "SPEC")
            row.value = Self.seconds(ours)
            return row
        }
        var tokenVolumeRebuild = BenchMeasure.rate(
            "\(prefix) full rebuild daily_token_volume s", timings.rebuild[tokenVolume]?.wall ?? .nan,
            baseline: 2.3 * Double(history) / 1_000_000, label: "SPEC, scaled to history")
        tokenVolumeRebuild.value = Self.seconds(timings.rebuild[tokenVolume] ?? Elapsed(wall: .nan, cpu: .nan))
        var measures = [tokenVolumeRebuild]
        if baseline == nil {
            measures.append(
                BenchMeasure(
                    measure: "\(prefix) full rebuild all \(files.count) files s",
                    value: Self.seconds(timings.rebuild.values.reduce(Elapsed(wall: 0, cpu: 0), +))))
        }
        for file in files {
            let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            measures.append(
                oneDay(
                    name, timings.oneDay[file], baseline?.timings.oneDay[file], spec: file == tokenVolume ? 0.05 : nil))
        }
        measures.append(oneDay("all \(files.count) files", timings.oneDayAll, baseline?.timings.oneDayAll))
        measures.append(oneDay("rerun, all \(files.count) files", timings.rerunAll, baseline?.timings.rerunAll))
        return measures
    }

    /// `1.23 (cpu 1.10)`: wall seconds, then the server's CPU seconds when known.
    private static func seconds(_ elapsed: Elapsed) -> String {
        BenchFormat.number(elapsed.wall) + (elapsed.cpu.isFinite ? " (cpu \(BenchFormat.number(elapsed.cpu)))" : "")
    }

    /// `1.05x (cpu 0.98x)`: ours / theirs, wall then CPU (CPU only from 0.05 s: /proc counts in
    /// 10 ms ticks).
    private static func ratio(_ ours: Elapsed, _ theirs: Elapsed) -> String {
        func one(_ a: Double, _ b: Double) -> String { b > 0 ? BenchFormat.ratio(a / b) : "n/a" }
        let cpu = ours.cpu.isFinite && theirs.cpu >= 0.05 ? " (cpu \(one(ours.cpu, theirs.cpu)))" : ""
        return one(ours.wall, theirs.wall) + cpu
    }

    /// The fastest of `count` runs of `body` (wall and CPU minima taken separately).
    private static func best(of count: Int, _ body: () throws -> Elapsed) throws -> Elapsed {
        var best = Elapsed.slowest
        for _ in 0..<count { best = best.fastest(try body()) }
        return best
    }

    /// `1M`, `5M`, `100k`: a history size for measure names.
    private static func label(_ rows: Int) -> String {
        if rows >= 1_000_000 && rows % 100_000 == 0 {
            let millions = Double(rows) / 1_000_000
            return millions == millions.rounded() ? "\(Int(millions))M" : String(format: "%.1fM", millions)
        }
        if rows >= 1_000 && rows % 1_000 == 0 { return "\(rows / 1_000)k" }
        return "\(rows)"
    }

    /// `perDay` transfers on each calendar day in `days`, times spread evenly over the day:
    /// chain-1 tokens of the simulator, 3 % mints, 2 % burns, uint256-sized values, 8 logs per
    /// block. Transfer `i` is on day `i / perDay`, so ranges generated at different times never
    /// collide.
    private func generateTransfers(_ connection: PostgresConnection, perDay: Int, days: Range<Int>) throws {
        guard !days.isEmpty else { return }
        var month = day(days.lowerBound)
        while month <= day(days.upperBound - 1) {
            try connection.execute(
                SQLQuery("SELECT chainetl_ensure_transfer_partition($1::timestamptz)", [month.start]))
            month = month.advanced(by: 28)
        }
        try connection.execute(
            SQLQuery("SELECT chainetl_ensure_transfer_partition($1::timestamptz)", [day(days.upperBound - 1).start]))
        let tokens = SimulatedChain.tokens(chainID: 1).filter { $0.standard == .erc20 }.map(\.address)
        let zero = SimulatedChain.zeroAddress
        // Day d brings ~3,000 new addresses; each range overlaps the next day's.
        let account = """
            CASE WHEN random() < 0.7 THEN '0x' || lpad(to_hex((4000 * power(random(), 3))::int + 1), 40, '0')
                 ELSE '0x' || lpad(to_hex(100000000 + (i / $2::bigint) * 3000 + (random() * 6000)::int), 40, '0') END
            """
        // Hashes are fixed-width hex of the block and transaction numbers: aggregates never read
        // them, and md5 per row made generation twice as slow.
        let sql = """
            INSERT INTO transfers (transfer_id, chain_id, block_number, block_time, block_hash, tx_hash, log_index,
                occurrence, token_address, from_address, to_address, value, token_symbol, token_name,
                token_decimals, source, pipeline)
            SELECT decode(md5(i::text), 'hex'), 1, 20000000 + i / 8,
                   $1::timestamptz + (i / $2::bigint) * interval '1 day'
                       + (((i % $2::bigint) * 86400) / $2::bigint) * interval '1 second',
                   '0x' || lpad(to_hex(20000000 + i / 8), 64, '0'),
                   '0x' || lpad(to_hex(i / 3), 64, 'f'),
                   (i % 8)::int, 0, (string_to_array($5, ','))[1 + (i % array_length(string_to_array($5, ','), 1))],
                   CASE WHEN i % 33 = 0 THEN $6 ELSE \(account) END,
                   CASE WHEN i % 50 = 1 THEN $6 ELSE \(account) END,
                   floor(random() * 1e21)::numeric, NULL, NULL, 18, 'etherscan-logs', 'bench'
            FROM generate_series($3::bigint, $4::bigint - 1) AS i
            """
        try connection.execute(
            SQLQuery(
                sql,
                [
                    firstDay.start, perDay, days.lowerBound * perDay, days.upperBound * perDay,
                    tokens.joined(separator: ","), zero,
                ]))
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

    /// Runs `files` for `day` in one stage call: the stage's wall seconds and its backend's CPU
    /// seconds (nan when unavailable). The connection is opened before the clock starts.
    @discardableResult
    func run(_ files: [String], day: PartitionDay) throws -> Elapsed {
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
            pipeline: pipeline, spec: spec, configHash: StageConfigHash.of(stage, spec: spec, pipeline: pipeline),
            partition: day, workdir: workdir, runID: "bench", logger: logger,
            options: StageOptions(), eventSink: SilentEvents(), progressReporter: SilentProgress(),
            services: ExtractionServices(), inputs: [:], databaseURL: databaseURL,
            makeOutput: { try CheckpointWriter(location: output, kind: spec.kind, recordSchema: stage.recordSchema) })
        defer {
            context.outputIfOpened?.discard()
            context.closeDatabase()
        }
        let pid = try context.database.execute(SQLQuery("SELECT pg_backend_pid()")).value(row: 0, column: 0)
            .flatMap { Int32($0) }
        let cpuBefore = pid.flatMap(BackendCPU.seconds(pid:))
        let wall = try BenchTiming.measure { _ = try stage.run(context) }.elapsed.wall
        guard let pid, let cpuBefore, let cpuAfter = BackendCPU.seconds(pid: pid) else {
            return Elapsed(wall: wall, cpu: .nan)
        }
        return Elapsed(wall: wall, cpu: cpuAfter - cpuBefore)
    }
}

extension Elapsed {
    /// Larger than any measurement: the start of a minimum.
    fileprivate static let slowest = Elapsed(wall: .infinity, cpu: .infinity)

    fileprivate static func + (left: Elapsed, right: Elapsed) -> Elapsed {
        Elapsed(wall: left.wall + right.wall, cpu: left.cpu + right.cpu)
    }

    /// The smaller wall and the smaller CPU time of the two.
    fileprivate func fastest(_ other: Elapsed) -> Elapsed {
        Elapsed(wall: min(wall, other.wall), cpu: min(cpu, other.cpu))
    }
}

private struct SilentEvents: StageEventSink {
    func record(_ event: StageEvent) {}
}

private struct SilentProgress: StageProgressReporting {
    func report(stageID: String, partition: PartitionDay, _ snapshot: ProgressSnapshot) {}
}

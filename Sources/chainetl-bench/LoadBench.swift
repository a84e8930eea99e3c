import ChainETLCore
import ChainETLPostgres
import ChainETLStages
import Foundation
import Logging

/// Load into an indexed `transfers` against `psql \copy` of the same rows into the same table.
///
/// Needs `DATABASE_URL` (`make bench` runs under `.ci/with-postgres`). Works in its own schema,
/// migrated from `schemas/` (or `CHAINETL_SCHEMAS`). The generated rows are written once as a
/// `transfer/1` checkpoint (what the load stage reads) and once as a COPY text file (what `psql`
/// reads). The table is truncated before each timed first load, after a `CHECKPOINT`, so both
/// sides start from the same empty, indexed table.
struct LoadBenchSection: BenchSection {
    let name = "load"
    private let schema = "chainetl_bench_load"
    private let day = PartitionDay("2026-11-20")!

    func run(_ context: BenchContext) throws -> [BenchMeasure] {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
            throw BenchError.usage(
                "the load section needs DATABASE_URL; run it through .ci/with-postgres or make bench")
        }
        let source = try context.canonicalTransfers()
        let directory = context.scratch.appendingPathComponent("load", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let location = CheckpointLocation(workdir: directory, pipeline: "bench", partition: day, stageID: "dedupe")
        let manifest = try writeCheckpoint(source, at: location)
        let copyFile = directory.appendingPathComponent("transfers.copy")
        try writeCopyFile(source, to: copyFile)

        var logger = Logger(label: "chainetl.bench.load")
        logger.logLevel = .warning
        let connection = try PostgresConnection.connect(url: url, applicationName: "chainetl-bench", logger: logger)
        defer { connection.close() }
        try prepareSchema(connection)
        defer { _ = try? connection.execute(SQLQuery(unsafeSQL: "DROP SCHEMA \(SQLIdentifier.quote(schema)) CASCADE")) }

        let reader = try CheckpointReader.open(location, expecting: "transfer/1")
        let loader = TransferLoader(connection: connection, logger: logger)
        let request = TransferLoadRequest(
            pipeline: "bench", partition: day, stage: "load", source: "dedupe", manifestHash: manifest.contentHash,
            totalRows: manifest.totalRows, chainIDs: [1])

        // Three interleaved repetitions (ours, \copy, ours; then the other way round), so a slow
        // stretch of the shared machine hits both sides; each ratio is taken within a repetition.
        var fresh: [LoadSample] = []
        var existing: [LoadSample] = []
        var ceiling: [LoadSample] = []
        for repetition in 0..<Self.repetitions {
            let forward = repetition % 2 == 0
            for step in forward ? [0, 1, 2] : [2, 1, 0] {
                switch step {
                case 0:
                    // (a) a first load of the month: the partition does not exist yet.
                    try emptyTable(connection, dropPartition: true)
                    fresh.append(try ourLoad(loader, request, reader: reader, connection: connection))
                    try expectRows(connection, source.rows, after: "the load")
                case 1:
                    // (b) the ceiling: psql \copy into the parent table, month partition present.
                    try emptyTable(connection, dropPartition: false)
                    ceiling.append(try psqlCopy(url: url, file: copyFile, scratch: directory))
                    try expectRows(connection, source.rows, after: "psql \\copy")
                default:
                    // (a') a first load of a day into the existing, indexed month partition.
                    try emptyTable(connection, dropPartition: false)
                    existing.append(try ourLoad(loader, request, reader: reader, connection: connection))
                    try expectRows(connection, source.rows, after: "the load")
                }
            }
        }
        // The last step of the last repetition was one of our loads, so the ledger knows it.

        // (c) the same checkpoint again: the ledger and a count say it is loaded.
        let (again, reloadTime) = try BenchTiming.measure {
            try loader.load(request) { body in try reader.forEachLine(body) }
        }
        guard again.mode == .unchanged, again.inserted == 0 else {
            throw BenchError.mismatch("reload went \(again.mode.rawValue) and inserted \(again.inserted) rows")
        }

        // A corrected checkpoint (new manifest hash) of identical rows: the full staged replace.
        var corrected = request
        corrected.manifestHash += "-corrected"
        let (replaced, replaceTime) = try BenchTiming.measure {
            try loader.load(corrected) { body in try reader.forEachLine(body) }
        }
        guard replaced.mode == .replaced, replaced.present == source.rows, replaced.removed == 0 else {
            throw BenchError.mismatch(
                "replace went \(replaced.mode.rawValue): present \(replaced.present), removed \(replaced.removed)")
        }

        let rows = Double(source.rows)
        let copySeconds = Self.median(ceiling.map(\.wall))
        let loadSeconds = Self.median(existing.map(\.wall))
        let perMillion = { (samples: [LoadSample], cpu: KeyPath<LoadSample, Double>) -> String in
            let values = samples.map { $0[keyPath: cpu] / rows * 1_000_000 }
            return String(format: "%.2f (%.2f–%.2f)", Self.median(values), values.min() ?? .nan, values.max() ?? .nan)
        }
        return [
            Self.ratioRow(
                "load rows/s, first load of a month (new partition) vs \\copy", rows: rows, ours: fresh,
                baseline: ceiling),
            Self.ratioRow(
                "load rows/s, a day into the existing month partition vs \\copy", rows: rows, ours: existing,
                baseline: ceiling),
            .rate("load \\copy ceiling rows/s (median)", rows / copySeconds, baseline: 100_000, label: "SPEC"),
            BenchMeasure(
                measure: "load server CPU s per 1M rows: new partition / existing / \\copy",
                value: perMillion(fresh, \.server) + " / " + perMillion(existing, \.server),
                baseline: perMillion(ceiling, \.server)),
            BenchMeasure(
                measure: "load client CPU s per 1M rows: new partition / existing / psql",
                value: perMillion(fresh, \.client) + " / " + perMillion(existing, \.client),
                baseline: perMillion(ceiling, \.client)),
            .rate(
                "load reload time / first load", reloadTime.wall / loadSeconds, baseline: 0.2, label: "SPEC max"),
            BenchMeasure(
                measure: "load reload seconds (unchanged)", value: String(format: "%.3f", reloadTime.wall),
                baseline: String(format: "%.3f first load", loadSeconds)),
            .rate(
                "load corrected reload rows/s (staged replace)", rows / replaceTime.wall, baseline: rows / loadSeconds,
                label: "first load"),
        ]
    }

    /// Repetitions of each timed load; every ratio row is their median with the min–max spread.
    static let repetitions = 3

    /// One timed load: wall clock, this process's (or psql's) CPU and the server backend's CPU.
    struct LoadSample {
        var wall: Double
        var client: Double
        var server: Double
    }

    /// Our load of the checkpoint, timed with its backend's CPU.
    private func ourLoad(
        _ loader: TransferLoader, _ request: TransferLoadRequest, reader: CheckpointReader,
        connection: PostgresConnection
    ) throws -> LoadSample {
        let pid = Int32(connection.backendPID)
        let serverBefore = BackendCPU.seconds(pid: pid) ?? .nan
        let (result, elapsed) = try BenchTiming.measure {
            try loader.load(request) { body in try reader.forEachLine(body) }
        }
        let serverAfter = BackendCPU.seconds(pid: pid) ?? .nan
        guard result.mode == .firstLoad, result.inserted == request.totalRows else {
            throw BenchError.mismatch(
                "first load went \(result.mode.rawValue) with \(result.inserted) of \(request.totalRows) rows")
        }
        return LoadSample(wall: elapsed.wall, client: elapsed.cpu, server: serverAfter - serverBefore)
    }

    /// `ours ÷ baseline` rows/s: the median of the per-repetition ratios, with their min–max.
    private static func ratioRow(_ measure: String, rows: Double, ours: [LoadSample], baseline: [LoadSample])
        -> BenchMeasure
    {
        let ratios = zip(ours, baseline).map { $1.wall / $0.wall }
        return BenchMeasure(
            measure: measure, value: BenchFormat.number(rows / median(ours.map(\.wall))),
            baseline: BenchFormat.number(rows / median(baseline.map(\.wall))) + " (psql \\copy)",
            ratio: String(
                format: "%.2fx (%.2f–%.2f)", median(ratios), ratios.min() ?? .nan, ratios.max() ?? .nan))
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The generated lines as the `transfer/1` checkpoint a dedupe stage would leave.
    private func writeCheckpoint(_ source: GeneratedFile, at location: CheckpointLocation) throws -> CheckpointManifest
    {
        let writer = try CheckpointWriter(location: location, kind: "dedupe", recordSchema: "transfer/1")
        try BenchLineFile.forEachLine(source.url) { try writer.append(line: $0) }
        return try writer.commit(
            configHash: "bench", inputs: [:], counts: RowCounts(rowsIn: source.rows, rowsOut: source.rows),
            startedAt: Date())
    }

    /// The same rows as COPY text, encoded exactly as the load encodes them.
    private func writeCopyFile(_ source: GeneratedFile, to url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: Data()),
            let handle = FileHandle(forWritingAtPath: url.path)
        else { throw BenchError.usage("cannot create \(url.path)") }
        defer { try? handle.close() }
        var encoder = TransferCopyEncoder(
            pipeline: "bench", partition: day, chainIDs: [1], loadedAt: "2026-11-21T03:00:00.000000Z", input: "bench")
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20 + 4096)
        var line = 0
        try BenchLineFile.forEachLine(source.url) { bytes in
            line += 1
            guard try encoder.encode(bytes, lineNumber: line) != nil else { return }
            buffer.append(contentsOf: encoder.row)
            buffer.append(0x0A)
            if buffer.count >= 1 << 20 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
    }

    private func prepareSchema(_ connection: PostgresConnection) throws {
        let quoted = SQLIdentifier.quote(schema)
        try connection.execute(SQLQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(quoted) CASCADE"))
        try connection.execute(SQLQuery(unsafeSQL: "CREATE SCHEMA \(quoted)"))
        try connection.execute(SQLQuery(unsafeSQL: "SET search_path TO \(quoted)"))
        try Migrator(directory: try Self.schemasDirectory()).migrate(connection)
        try connection.execute(
            SQLQuery("SELECT chainetl_ensure_transfer_partition($1::timestamptz)", [day.start]))
    }

    /// Empties `transfers` and the load ledger and flushes dirty pages, so no run pays for another's.
    /// With `dropPartition` the month partition is dropped too (a month's first load creates it);
    /// without, it is there and empty, with its indexes.
    private func emptyTable(_ connection: PostgresConnection, dropPartition: Bool) throws {
        try connection.execute(SQLQuery(unsafeSQL: "TRUNCATE transfers, etl_loads"))
        let name = try connection.execute(
            SQLQuery("SELECT chainetl_transfer_partition_name($1::timestamptz)", [day.start])
        ).value(row: 0, column: 0)
        if dropPartition, let name {
            try connection.execute(SQLQuery(unsafeSQL: "DROP TABLE IF EXISTS \(SQLIdentifier.quote(name))"))
        } else {
            try connection.execute(
                SQLQuery("SELECT chainetl_ensure_transfer_partition($1::timestamptz)", [day.start]))
        }
        // Needs superuser (the bench cluster's user is); elsewhere the runs are merely noisier.
        _ = try? connection.execute(SQLQuery(unsafeSQL: "CHECKPOINT"))
    }

    private func expectRows(_ connection: PostgresConnection, _ expected: Int, after step: String) throws {
        let count = try connection.execute(SQLQuery(unsafeSQL: "SELECT count(*) FROM transfers")).int(row: 0, column: 0)
        guard count == expected else {
            throw BenchError.mismatch("transfers holds \(count ?? 0) rows after \(step), expected \(expected)")
        }
    }

    /// `psql \\copy` of `file` into `transfers`: its wall clock, psql's CPU and its backend's CPU
    /// (psql copies its backend's `/proc/<pid>/stat` once the copy is done).
    private func psqlCopy(url: String, file: URL, scratch: URL) throws -> LoadSample {
        let columns = TransferCopyEncoder.columns.joined(separator: ", ")
        let stat = scratch.appendingPathComponent("psql-backend.stat")
        let script = scratch.appendingPathComponent("copy.psql")
        try? FileManager.default.removeItem(at: stat)
        try Data(
            """
            SET search_path TO \(SQLIdentifier.quote(schema));
            SELECT pg_backend_pid() AS bench_backend_pid \\gset
            \\copy transfers (\(columns)) FROM '\(file.path)'
            \\setenv BENCH_BACKEND_PID :bench_backend_pid
            \\! cp /proc/$BENCH_BACKEND_PID/stat '\(stat.path)'

            """.utf8
        ).write(to: script)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", script.path]
        let childrenBefore = BenchTiming.cpuSeconds(children: true)
        let seconds = try BenchTiming.measure {
            try process.run()
            process.waitUntilExit()
        }.elapsed.wall
        guard process.terminationStatus == 0 else {
            throw BenchError.toolFailed("psql \\copy", status: process.terminationStatus)
        }
        return LoadSample(
            wall: seconds, client: BenchTiming.cpuSeconds(children: true) - childrenBefore,
            server: BackendCPU.seconds(statFile: stat.path) ?? .nan)
    }

    /// `CHAINETL_SCHEMAS`, else the first `schemas/` holding `0001_ledger.sql` upward from the
    /// current directory.
    private static func schemasDirectory() throws -> URL {
        if let configured = ProcessInfo.processInfo.environment["CHAINETL_SCHEMAS"] {
            return URL(fileURLWithPath: configured, isDirectory: true)
        }
        var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        while true {
            let candidate = directory.appendingPathComponent("schemas", isDirectory: true)
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("0001_ledger.sql").path) {
                return candidate
            }
            let parent = directory.deletingLastPathComponent()
            guard parent.path != directory.path else {
                throw BenchError.usage("no schemas/ directory found; run from the repository or set CHAINETL_SCHEMAS")
            }
            directory = parent
        }
    }
}

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

        // (b) the ceiling: psql \copy into the parent table.
        try emptyTable(connection)
        let copySeconds = try psqlCopy(url: url, file: copyFile)
        try expectRows(connection, source.rows, after: "psql \\copy")

        // (a) our load, from the checkpoint, into the same emptied table.
        try emptyTable(connection)
        let reader = try CheckpointReader.open(location, expecting: "transfer/1")
        let loader = TransferLoader(connection: connection, logger: logger)
        let request = TransferLoadRequest(
            pipeline: "bench", partition: day, stage: "load", source: "dedupe", manifestHash: manifest.contentHash,
            totalRows: manifest.totalRows, chainIDs: [1])
        let (first, loadTime) = try BenchTiming.measure {
            try loader.load(request) { body in try reader.forEachLine(body) }
        }
        guard first.mode == .firstLoad, first.inserted == source.rows else {
            throw BenchError.mismatch(
                "first load went \(first.mode.rawValue) with \(first.inserted) of \(source.rows) rows")
        }
        try expectRows(connection, source.rows, after: "the load")

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
        let loadSeconds = loadTime.wall
        let reloadSeconds = reloadTime.wall
        let replaceSeconds = replaceTime.wall
        return [
            .rate(
                "load rows/s (first load, indexed)", rows / loadSeconds, baseline: rows / copySeconds,
                label: "psql \\copy"),
            .rate("load \\copy ceiling rows/s", rows / copySeconds, baseline: 100_000, label: "SPEC"),
            .rate("load reload time / first load", reloadSeconds / loadSeconds, baseline: 0.2, label: "SPEC max"),
            BenchMeasure(
                measure: "load reload seconds (unchanged)", value: String(format: "%.3f", reloadSeconds),
                baseline: String(format: "%.3f first load", loadSeconds)),
            .rate(
                "load corrected reload rows/s (staged replace)", rows / replaceSeconds, baseline: rows / loadSeconds,
                label: "first load"),
            BenchMeasure(
                measure: "load client CPU s per 1M rows (first load)",
                value: String(format: "%.2f", loadTime.cpu / rows * 1_000_000)),
        ]
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
    private func emptyTable(_ connection: PostgresConnection) throws {
        try connection.execute(SQLQuery(unsafeSQL: "TRUNCATE transfers, etl_loads"))
        // Needs superuser (the bench cluster's user is); elsewhere the runs are merely noisier.
        _ = try? connection.execute(SQLQuery(unsafeSQL: "CHECKPOINT"))
    }

    private func expectRows(_ connection: PostgresConnection, _ expected: Int, after step: String) throws {
        let count = try connection.execute(SQLQuery(unsafeSQL: "SELECT count(*) FROM transfers")).int(row: 0, column: 0)
        guard count == expected else {
            throw BenchError.mismatch("transfers holds \(count ?? 0) rows after \(step), expected \(expected)")
        }
    }

    /// Seconds `psql \copy` takes to load `file` into `transfers`.
    private func psqlCopy(url: String, file: URL) throws -> Double {
        let columns = TransferCopyEncoder.columns.joined(separator: ", ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url,
            "-c", "SET search_path TO \(SQLIdentifier.quote(schema))",
            "-c", "\\copy transfers (\(columns)) FROM '\(file.path)'",
        ]
        let seconds = try BenchTiming.measure {
            try process.run()
            process.waitUntilExit()
        }.elapsed.wall
        guard process.terminationStatus == 0 else {
            throw BenchError.toolFailed("psql \\copy", status: process.terminationStatus)
        }
        return seconds
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

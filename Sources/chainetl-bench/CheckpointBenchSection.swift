import ChainETLCore
import Foundation

/// Streaming checkpoint write and read against `gzip -1` and `zcat` on the same uncompressed data.
///
/// Both sides read the same NDJSON file from the page cache. The `gzip -1` baseline is fsynced,
/// as a checkpoint commit is; the checkpoint read also verifies every part's SHA-256 and row
/// count, which `zcat` does not (it checks only the CRC). Rates are given per wall-clock second
/// and per CPU second (user + system), the latter being stable on a shared machine.
struct CheckpointBenchSection: BenchSection {
    let name = "checkpoint"

    func run(_ context: BenchContext) throws -> [BenchMeasure] {
        let source = try context.canonicalTransfers()
        let directory = context.scratch.appendingPathComponent("checkpoint", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        let baselineFile = directory.appendingPathComponent("baseline.ndjson.gz")
        let gzip = try BenchTiming.measure { () throws -> Elapsed in
            let elapsed = try BenchTiming.runTool(["gzip", "-1", "-c"], stdin: source.url, stdout: baselineFile)
            try BenchTiming.sync(baselineFile)
            return elapsed
        }
        let gzipElapsed = Elapsed(wall: gzip.elapsed.wall, cpu: gzip.result.cpu + gzip.elapsed.cpu)
        let baselineBytes = try FileManager.default.attributesOfItem(atPath: baselineFile.path)[.size] as? Int ?? 0

        let location = CheckpointLocation(
            workdir: directory, pipeline: "bench", partition: PartitionDay("2026-11-20")!, stageID: "transfers")
        let (manifest, writeElapsed) = try BenchTiming.measure { () throws -> CheckpointManifest in
            let writer = try CheckpointWriter(location: location, kind: "bench", recordSchema: "transfer/1")
            try BenchLineFile.forEachLine(source.url) { try writer.append(line: $0) }
            return try writer.commit(
                configHash: "bench", inputs: [:], counts: RowCounts(rowsIn: source.rows, rowsOut: source.rows),
                startedAt: Date())
        }
        let checkpointBytes = manifest.parts.reduce(0) { $0 + $1.bytes }

        let ((readRows, readBytes), readElapsed) = try BenchTiming.measure { () throws -> (Int, Int) in
            let reader = try CheckpointReader.open(location, expecting: "transfer/1")
            var lines = 0
            var bytes = 0
            try reader.forEachLine { line in
                lines += 1
                bytes += line.count + 1
            }
            return (lines, bytes)
        }
        guard readRows == source.rows, readBytes == source.bytes else {
            throw BenchError.mismatch(
                "checkpoint read back \(readRows) rows / \(readBytes) bytes, wrote \(source.rows) / \(source.bytes)")
        }

        let zcatElapsed = try BenchTiming.runTool(["zcat"], stdin: baselineFile, stdout: nil)

        let rows = Double(source.rows)
        let megabytes = BenchFormat.megabytes(source.bytes)
        return [
            BenchMeasure(
                measure: "checkpoint input", value: "\(source.rows) rows, \(BenchFormat.number(megabytes)) MB"),
            .rate(
                "checkpoint write rows/s", rows / writeElapsed.wall, baseline: rows / gzipElapsed.wall, label: "gzip -1"
            ),
            .rate(
                "checkpoint write MB/s", megabytes / writeElapsed.wall, baseline: megabytes / gzipElapsed.wall,
                label: "gzip -1"),
            .rate(
                "checkpoint write rows/cpu-s", rows / writeElapsed.cpu, baseline: rows / gzipElapsed.cpu,
                label: "gzip -1"),
            .rate(
                "checkpoint compressed MB", BenchFormat.megabytes(checkpointBytes),
                baseline: BenchFormat.megabytes(baselineBytes), label: "gzip -1"),
            .rate("checkpoint read rows/s", rows / readElapsed.wall, baseline: rows / zcatElapsed.wall, label: "zcat"),
            .rate(
                "checkpoint read MB/s", megabytes / readElapsed.wall, baseline: megabytes / zcatElapsed.wall,
                label: "zcat"),
            .rate(
                "checkpoint read rows/cpu-s", rows / readElapsed.cpu, baseline: rows / zcatElapsed.cpu, label: "zcat"),
            .rate("checkpoint read rows/cpu-s vs SPEC", rows / readElapsed.cpu, baseline: 420_000, label: "SPEC zlib"),
        ]
    }
}

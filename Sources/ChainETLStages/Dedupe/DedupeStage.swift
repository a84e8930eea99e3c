import ChainETLCore
import Foundation

/// `uses: dedupe`: merges the `transfer/1` checkpoints in `needs:` into one, keeping each
/// `transfer_id` once (the first input's copy), sorted by `block_number`.
///
/// Every input part is a block-sorted run (normalize writes one part per extraction run), so the
/// parts are merged k-way and a per-block seen-set finds every duplicate: a transfer lies in one
/// block. At most `fanIn` runs are open at once; beyond that, groups of runs are first merged
/// into scratch files (deduplicating as they go, which is the same as deduplicating once), so
/// memory and open files stay bounded whatever the number of parts. Counts: in = out + duplicates.
/// Duplicates against rows already in Postgres are the load's to count.
public struct DedupeStage: Stage {
    public static let kind = "dedupe"
    public static var parameters: StageParameterSchema { DedupeConfiguration.schema }

    var configuration: DedupeConfiguration
    let stageID: String

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        configuration = try DedupeConfiguration(spec: spec, pipeline: pipeline)
        stageID = spec.id
    }

    public var recordSchema: RecordSchema { .transfer }

    /// One sorted run to merge.
    private enum Run {
        case part(input: String, file: CheckpointFile, reader: CheckpointReader)
        case scratch(path: String)
    }

    public func run(_ context: StageContext) throws -> StageOutcome {
        var runs: [Run] = []
        var rowsIn = 0
        var details: [String: String] = [:]
        for id in configuration.inputs {
            let reader = try context.input(id)
            guard reader.manifest.recordSchema == .transfer else {
                throw DedupeError.unexpectedInputSchema(
                    input: id, found: reader.manifest.recordSchema, expected: .transfer)
            }
            for part in reader.manifest.parts where part.rows > 0 {
                runs.append(.part(input: id, file: part, reader: reader))
            }
            rowsIn += reader.manifest.totalRows
            details["input.\(id).rows"] = "\(reader.manifest.totalRows)"
        }
        details["runs"] = "\(runs.count)"
        let output = try context.output
        let progress = context.progress
        progress.expect(total: rowsIn)

        let fanIn = max(2, configuration.fanIn)
        var duplicates = 0
        var passes = 1
        var scratchIndex = 0
        defer {
            for run in runs { if case .scratch(let path) = run { try? FileManager.default.removeItem(atPath: path) } }
        }
        while runs.count > fanIn {
            var merged: [Run] = []
            for start in stride(from: 0, to: runs.count, by: fanIn) {
                let group = Array(runs[start..<min(start + fanIn, runs.count)])
                guard group.count > 1 else {
                    merged.append(contentsOf: group)
                    continue
                }
                let path = output.temporaryDirectory.appendingPathComponent("merge-\(scratchIndex).tmp").path
                scratchIndex += 1
                let scratch = try GzipLineWriter(path: path)
                merged.append(.scratch(path: path))
                var deduplicator = TransferDeduplicator()
                try deduplicator.deduplicate(try open(group, runsOpen: fanIn)) { line in
                    try scratch.append(line: line)
                }
                try scratch.finish()
                duplicates += deduplicator.counts.duplicates
                for run in group {
                    if case .scratch(let used) = run { try? FileManager.default.removeItem(atPath: used) }
                }
            }
            runs = merged
            passes += 1
        }

        var deduplicator = TransferDeduplicator()
        var emitted = 0
        try deduplicator.deduplicate(try open(runs, runsOpen: runs.count)) { line in
            try output.append(line: line)
            emitted += 1
            if emitted & 8_191 == 0 { progress.advance(by: 8_192) }
        }
        progress.advance(by: emitted & 8_191)
        progress.flush()
        duplicates += deduplicator.counts.duplicates
        let counts = RowCounts(rowsIn: rowsIn, rowsOut: deduplicator.counts.rowsOut, duplicates: duplicates)
        guard counts.balances else {
            throw NormalizeError.accountingMismatch(
                stage: stageID, partition: context.partition.description,
                counts: NormalizeCounts(rowsIn: rowsIn, rowsOut: counts.rowsOut, duplicates: duplicates))
        }
        details["merge.passes"] = "\(passes)"
        context.logger.info(
            "dedupe finished",
            metadata: [
                "rows.in": "\(rowsIn)", "rows.out": "\(counts.rowsOut)", "rows.duplicates": "\(duplicates)",
                "runs.count": "\(details["runs"] ?? "0")", "merge.passes": "\(passes)",
            ])
        return StageOutcome(counts: counts, details: details)
    }

    /// Opens `runs` with read buffers sized so `runsOpen` of them take about 16 MiB together.
    private func open(_ runs: [Run], runsOpen: Int) throws -> [MergeRunSource] {
        let chunkSize = min(128 * 1024, max(16 * 1024, (16 << 20) / max(runsOpen, 1)))
        return try runs.map { run in
            switch run {
            case .part(let input, let file, let reader):
                return try MergeRunSource(input: input, part: file, reader: reader, chunkSize: chunkSize)
            case .scratch(let path):
                return try MergeRunSource(scratch: path, chunkSize: chunkSize)
            }
        }
    }
}

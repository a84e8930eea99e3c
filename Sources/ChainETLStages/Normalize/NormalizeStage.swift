import ChainETLCore
import Foundation

/// `uses: normalize/transfers`: turns the raw explorer rows of every input (`needs:`) into
/// canonical `transfer/1` records (SPEC §6).
///
/// Streams line by line (memory holds one block's occurrence tuples per chain). Each extraction
/// run (one target of one extract stage, see `PartitionNormalizer`) becomes its own output part,
/// sorted by block; dedupe merges the parts (docs/architecture.md, "Canonical transfer record").
/// Invalid rows go to the side file `quarantine.ndjson.gz` with their reason; the manifest
/// records in = out + quarantined + excluded and the counts per reason. Past the quarantine
/// threshold the stage fails, keeping the quarantine file at
/// `<workdir>/quarantine/<pipeline>/<partition>/<stage>.ndjson.gz`.
public struct NormalizeStage: Stage {
    public static let kind = "normalize/transfers"
    public static var parameters: StageParameterSchema { NormalizeConfiguration.schema }
    /// The side file holding quarantined rows.
    public static let quarantineFileName = "quarantine.ndjson.gz"
    /// The record schema of the inputs.

    let configuration: NormalizeConfiguration
    let stageID: String

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        configuration = try NormalizeConfiguration(spec: spec, pipeline: pipeline)
        stageID = spec.id
    }

    public var recordSchema: RecordSchema { .transfer }

    public func run(_ context: StageContext) throws -> StageOutcome {
        var readers: [(id: String, reader: CheckpointReader)] = []
        for id in configuration.inputs {
            let reader = try context.input(id)
            guard reader.manifest.recordSchema == .rawExplorerRow else {
                throw NormalizeError.unexpectedInputSchema(
                    input: id, found: reader.manifest.recordSchema, expected: .rawExplorerRow)
            }
            readers.append((id, reader))
        }
        let output = try context.output
        let quarantineFile = try output.sideFile(named: Self.quarantineFileName)
        var normalizer = PartitionNormalizer(
            partition: context.partition,
            selected: configuration.chains.map { ($0.chainID, TokenMetadataLookup(tracked: $0.tokens)) },
            otherChains: configuration.otherChainIDs)
        let progress = context.progress
        progress.expect(total: readers.reduce(0) { $0 + $1.reader.manifest.totalRows })

        var records = JSONLineWriter(capacity: 4096)
        var quarantine = JSONLineWriter(capacity: 4096)
        var pending = 0
        for (id, reader) in readers {
            normalizer.beginInput()
            var lineNumber = 0
            do {
                try reader.forEachLine { line in
                    lineNumber += 1
                    records.reset()
                    quarantine.reset()
                    let result = try normalizer.normalize(
                        line: line, lineNumber: lineNumber, records: &records, quarantine: &quarantine)
                    if result.startsRun { try output.endPart() }
                    switch result.outcome {
                    case .record: try output.append(records)
                    case .quarantined: try quarantineFile.append(quarantine)
                    case .excluded, .duplicate: break
                    }
                    pending += 1
                    if pending == 8_192 {
                        progress.advance(by: pending)
                        pending = 0
                    }
                }
            } catch NormalizeError.blockOutOfOrder(let line, let block, let previousBlock) {
                throw NormalizeError.runOutOfOrder(input: id, line: line, block: block, previousBlock: previousBlock)
            }
        }
        progress.advance(by: pending)
        progress.flush()

        let counts = normalizer.counts
        try counts.checkBalanced(stage: stageID, partition: context.partition.description)
        if !configuration.threshold.allows(counts) {
            try quarantineFile.finish()
            try context.keepQuarantineFile(from: quarantineFile.path)
            try configuration.threshold.check(counts, quarantineFile: context.keptQuarantineFile.path)
        }
        context.removeKeptQuarantineFile()
        if counts.quarantined > 0 {
            context.events.record(
                kind: "rows.quarantined", message: "normalize quarantined rows",
                details: [
                    "count": "\(counts.quarantined)", "rows.in": "\(counts.rowsIn)",
                    "file": output.location.directory.appendingPathComponent(Self.quarantineFileName).path,
                    "reasons": Self.topReasons(counts.quarantinedByReason),
                ])
        }
        context.logger.info(
            "normalize finished",
            metadata: [
                "rows.in": "\(counts.rowsIn)", "rows.out": "\(counts.rowsOut)",
                "rows.quarantined": "\(counts.quarantined)", "rows.excluded": "\(counts.excluded)",
                "runs.count": "\(normalizer.runs)",
            ])
        return StageOutcome(
            counts: RowCounts(
                rowsIn: counts.rowsIn, rowsOut: counts.rowsOut, quarantined: counts.quarantined,
                duplicates: counts.duplicates, excluded: counts.excluded),
            details: details(counts, runs: normalizer.runs, rowsOutByChain: normalizer.rowsOutByChain))
    }

    /// Notes for the manifest: counts per reason and chain, the runs (= output parts before
    /// splitting at `rowsPerPart`), the threshold and the quarantine file.
    private func details(_ counts: NormalizeCounts, runs: Int, rowsOutByChain: [Int: Int]) -> [String: String] {
        var details: [String: String] = [
            "quarantine.file": Self.quarantineFileName,
            "quarantine.threshold": "\(configuration.threshold.maximumFraction)",
            "runs": "\(runs)",
            "inputs": configuration.inputs.joined(separator: ","),
        ]
        for (code, count) in counts.quarantinedByReason { details["quarantined.\(code)"] = "\(count)" }
        for (code, count) in counts.excludedByReason { details["excluded.\(code)"] = "\(count)" }
        for (chainID, rows) in rowsOutByChain { details["chain.\(chainID).rows_out"] = "\(rows)" }
        return details
    }

    /// `code ×N, …` for the five most frequent reasons.
    static func topReasons(_ byReason: [String: Int]) -> String {
        byReason.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(5)
            .map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
    }
}

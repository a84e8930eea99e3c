import ChainETLCore

/// Collects a stage's rejected rows into its `quarantine.ndjson.gz` side file (created on the
/// first rejection) and keeps the count and a few examples for the run details.
final class QuarantineSink {
    static let fileName = "quarantine.ndjson.gz"
    static let exampleCount = 3

    private let output: CheckpointWriter?
    private var file: GzipLineWriter?
    private(set) var count = 0
    private(set) var examples: [String] = []

    /// `output` nil keeps rejections in memory only (examples and count), for tests.
    init(output: CheckpointWriter?) {
        self.output = output
    }

    func add(_ rejection: FileRowRejection) throws {
        count += 1
        if examples.count < Self.exampleCount { examples.append(rejection.summary) }
        guard let output else { return }
        if file == nil { file = try output.sideFile(named: Self.fileName) }
        try file?.append(rejection.jsonLine())
    }

    /// `quarantine.file`, `quarantine.rows` and `quarantine.examples`, when anything was rejected.
    var details: [String: String] {
        guard count > 0 else { return [:] }
        return [
            "quarantine.file": Self.fileName, "quarantine.rows": "\(count)",
            "quarantine.examples": examples.joined(separator: " | "),
        ]
    }

    /// Fails the stage when the quarantined share of `rowsIn` rows exceeds `threshold`, keeping the
    /// quarantine file at `StageContext.keptQuarantineFile` (the failed checkpoint is discarded).
    func enforce(_ threshold: QuarantineThreshold, rowsIn: Int, path: String, context: StageContext) throws {
        guard !threshold.allows(quarantined: count, rowsIn: rowsIn) else {
            context.removeKeptQuarantineFile()
            return
        }
        var kept: String?
        if let file {
            _ = try file.finish()
            try context.keepQuarantineFile(from: file.path)
            kept = context.keptQuarantineFile.path
        }
        throw FileSourceError.quarantineThresholdExceeded(
            stage: context.spec.id, partition: context.partition.description, path: path, quarantined: count,
            rowsIn: rowsIn, maximumFraction: threshold.maximumFraction, examples: examples, keptFile: kept)
    }

    /// Records a `rows.quarantined` event when anything was rejected.
    func report(to context: StageContext) {
        guard count > 0 else { return }
        context.events.record(kind: "rows.quarantined", message: "rows quarantined", details: details)
        context.logger.warning(
            "rows quarantined", metadata: ["rows.quarantined": "\(count)", "quarantine.file": "\(Self.fileName)"])
    }
}

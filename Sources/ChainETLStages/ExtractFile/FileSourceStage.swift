import ChainETLCore
import Foundation

/// `uses: extract/file`: streams an application-event file (NDJSON or CSV) into a checkpoint of
/// `file-row/1` lines, quarantining bad lines with `file:line`.
///
/// The file's content joins the config hash, so editing the file re-extracts every partition it
/// covers. Without `time_field` every partition holds the whole file (downstream stages select
/// their day); with it, only the partition day's rows. A file without rows fails the stage, as
/// does a quarantined share above `quarantine_threshold`, so a wiped or garbled file never
/// replaces good rows downstream.
public struct FileSourceStage: Stage {
    public static let kind = "extract/file"
    public static var parameters: StageParameterSchema { FileSourceConfiguration.schema }

    let configuration: FileSourceConfiguration
    let fileDigest: String

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        configuration = try FileSourceConfiguration(spec: spec, pipeline: pipeline)
        fileDigest = try FileDigest.sha256(path: configuration.file.resolved)
    }

    public var recordSchema: RecordSchema { .fileRow }

    /// The file's SHA-256 (not its text: event files can be large).
    public var configurationInputs: [String: String] { ["file.sha256": fileDigest] }

    public func run(_ context: StageContext) throws -> StageOutcome {
        let output = try context.output
        let quarantine = QuarantineSink(output: output)
        let extractor = FileRowExtractor(
            path: configuration.file.resolved, displayPath: configuration.file.written, format: configuration.format,
            timeField: configuration.timeField)
        let counts = try extractor.extract(
            day: context.partition,
            emit: { line in
                try output.append(line: line)
                context.progress.advance()
            },
            reject: { try quarantine.add($0) })
        context.progress.flush()
        guard counts.rowsIn > 0 else {
            throw FileSourceError.emptyFile(stage: context.spec.id, path: configuration.file.written)
        }
        try quarantine.enforce(
            configuration.threshold, rowsIn: counts.rowsIn, path: configuration.file.written, context: context)
        quarantine.report(to: context)
        var details = quarantine.details
        details["file"] = configuration.file.written
        details["format"] = configuration.format.rawValue
        return StageOutcome(
            counts: RowCounts(
                rowsIn: counts.rowsIn, rowsOut: counts.rowsOut, quarantined: counts.quarantined,
                excluded: counts.excluded),
            details: details)
    }
}

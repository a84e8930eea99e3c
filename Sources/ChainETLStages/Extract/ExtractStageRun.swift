import ChainETLCore
import ChainETLExplorers
import Foundation

/// The `run` and `isUpToDate` shared by the three explorer extract kinds: wires a `DayExtraction`
/// to the unit's `StageContext` (output checkpoint, events, progress, shared services).
enum ExtractStageRun {
    static func run(_ configuration: ExtractConfiguration, context: StageContext) throws -> StageOutcome {
        let output = try context.output
        let services = context.services
        let logger = context.logger
        let dependencies = ExtractionDependencies(
            rateLimiters: services.rateLimiters, transport: services.transport,
            quotaStore: { services.quotaStore(logger: logger) }, environment: services.environment,
            retryPolicy: services.retryPolicy, currentDate: { Date() },
            reorgBaseline: StageReorgBaseline(
                pipeline: context.pipeline.name, stageID: context.spec.id, workdir: context.workdir,
                runID: context.runID, logger: logger, database: { try context.database }),
            spillDirectory: output.temporaryDirectory, dayRanges: .shared)
        let events = context.events
        let progress = context.progress
        let extraction = DayExtraction(
            configuration: configuration, day: context.partition, allowOpen: context.options.allowOpen,
            dependencies: dependencies, logger: logger,
            hooks: DayExtraction.Hooks(
                write: { line in try output.append(line) },
                event: { record in events.record(kind: record.kind, message: record.message, details: record.details) },
                progress: { status in
                    progress.update(
                        ProgressSnapshot(
                            unit: "blocks", completed: status.blocksDone, total: status.blocksTotal, notes: status.notes
                        ))
                }))
        let summary = try extraction.run()
        return StageOutcome(counts: RowCounts(rowsIn: summary.rows, rowsOut: summary.rows), details: summary.details)
    }

    /// A checkpoint of an open day (written under `--allow-open`) is never final: the next run
    /// extracts the day again, so a day that has since closed gets its complete rows.
    static func isUpToDate(_ manifest: CheckpointManifest) -> Bool {
        !manifest.details.contains { $0.key.hasPrefix("chain.") && $0.key.hasSuffix(".open") && $0.value == "true" }
    }
}

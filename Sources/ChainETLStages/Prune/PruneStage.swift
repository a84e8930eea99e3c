import ChainETLCore

/// `uses: prune`: drops raw `transfers` months older than `retention_days` before the partition day.
///
/// The cutoff comes from the partition, not the clock, so a run is reproducible: the nightly
/// partition (yesterday) prunes what is past retention, and a backfill of old days never drops the
/// months it is loading. Whole months only: a month goes once its last day is past the cutoff.
/// The checkpoint holds no rows; its details list the partitions dropped.
public struct PruneStage: Stage {
    public static let kind = "prune"
    public static var parameters: StageParameterSchema { PruneConfiguration.schema }

    let configuration: PruneConfiguration

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        configuration = try PruneConfiguration(spec: spec, pipeline: pipeline)
    }

    public var recordSchema: RecordSchema { "prune-result/1" }

    public func run(_ context: StageContext) throws -> StageOutcome {
        let cutoff = TransferPartitionPruner.cutoff(
            partition: context.partition, retentionDays: configuration.retentionDays)
        let dropped: [String]
        do {
            dropped = try TransferPartitionPruner(connection: try context.database, logger: context.logger)
                .prune(before: cutoff)
        } catch let error as StageError {
            throw error
        } catch {
            throw PruneError.databaseFailed(partition: context.partition, cutoff: cutoff, underlying: error)
        }
        if !dropped.isEmpty {
            context.events.record(
                kind: "partitions.pruned", message: "raw transfer months dropped past retention",
                details: ["partitions": dropped.joined(separator: ","), "cutoff": cutoff.description])
        }
        return StageOutcome(
            counts: RowCounts(),
            details: [
                "prune.cutoff": cutoff.description, "partitions.dropped": dropped.joined(separator: ","),
                "partitions.dropped.count": "\(dropped.count)",
            ])
    }

    /// Up to date while no month partition past the cutoff exists (a reloaded old month reappears).
    public func isUpToDate(_ context: StageContext, manifest: CheckpointManifest) throws -> Bool {
        let cutoff = TransferPartitionPruner.cutoff(
            partition: context.partition, retentionDays: configuration.retentionDays)
        return try TransferPartitionPruner(connection: try context.database, logger: context.logger)
            .pending(before: cutoff).isEmpty
    }
}

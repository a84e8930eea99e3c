import ChainETLCore

/// `uses: load`: loads the partition's canonical transfers (`transfer/1`) into Postgres.
///
/// One transaction per partition (see `TransferLoader`): a rerun of a loaded checkpoint inserts
/// nothing, a corrected checkpoint replaces this pipeline's rows of the day on the stage's chains,
/// and a crash at any point leaves the table as if the load never started. The checkpoint it
/// writes holds no rows; its counts say what the load did: in = rows read, out = inserted,
/// duplicates = already present, excluded = other chains, with `rows.removed` in the details.
public struct LoadStage: Stage {
    public static let kind = "load"
    public static var parameters: StageParameterSchema { LoadConfiguration.schema }

    let configuration: LoadConfiguration
    let stageID: String

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        configuration = try LoadConfiguration(spec: spec, pipeline: pipeline)
        stageID = spec.id
    }

    public var recordSchema: RecordSchema { "load-result/1" }

    public func run(_ context: StageContext) throws -> StageOutcome {
        let reader = try context.input(configuration.input)
        guard reader.manifest.recordSchema == .transfer else {
            throw LoadError.unexpectedInputSchema(
                stage: stageID, input: configuration.input, found: reader.manifest.recordSchema)
        }
        let loader = TransferLoader(connection: try context.database, logger: context.logger)
        let progress = context.progress
        progress.expect(total: reader.manifest.totalRows)
        let result = try loader.load(request(context, manifest: reader.manifest)) { body in
            progress.update(ProgressSnapshot(unit: "rows", completed: 0, total: reader.manifest.totalRows))
            try reader.forEachLine { line in
                try body(line)
                progress.advance()
            }
        }
        progress.flush()
        if result.replacedNULs > 0 {
            context.events.record(
                kind: "rows.text_nul_replaced", message: "nul characters in token text were stored as U+FFFD",
                details: ["count": "\(result.replacedNULs)"])
        }
        var details = result.details
        details["table"] = configuration.table
        details["chains"] = configuration.chainIDs.map(String.init).joined(separator: ",")
        return StageOutcome(counts: result.counts, details: details)
    }

    /// Up to date while the load ledger records the input this checkpoint was built from and the
    /// table still holds the rows recorded with it (false after a reset database or a pruned month).
    public func isUpToDate(_ context: StageContext, manifest: CheckpointManifest) throws -> Bool {
        guard let inputHash = manifest.inputs[configuration.input] else { return false }
        let loader = TransferLoader(connection: try context.database, logger: context.logger)
        return try loader.isCurrent(
            TransferLoadRequest(
                pipeline: context.pipeline.name, partition: context.partition, stage: stageID,
                source: configuration.input, manifestHash: inputHash, totalRows: 0,
                chainIDs: configuration.chainIDs, table: configuration.table))
    }

    func request(_ context: StageContext, manifest: CheckpointManifest) -> TransferLoadRequest {
        TransferLoadRequest(
            pipeline: context.pipeline.name, partition: context.partition, stage: stageID,
            source: configuration.input, manifestHash: manifest.contentHash, totalRows: manifest.totalRows,
            chainIDs: configuration.chainIDs, table: configuration.table)
    }
}

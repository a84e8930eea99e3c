import ChainETLCore

/// `uses: normalize/executions`: maps application events (`file-row/1` from `extract/file`) to
/// `executions` rows and replaces the partition day's rows in one transaction.
///
/// Amounts stay exact decimal text all the way into Postgres `numeric`. Bad rows are quarantined
/// with `file:line` and every reason; rows of other days (and, with `statuses`, other statuses)
/// are excluded, bad ones too when their `executed_at` is readable (the day they belong to
/// quarantines them). Past `quarantine_threshold`, or when the reload would remove more than
/// `max_shrink` of the day's loaded rows (without `--force` or `allow_shrink: true`), the stage
/// fails and the day's rows stay as they were. The checkpoint holds no rows, only the manifest and the quarantine side file; the
/// `etl_loads` entry records the input checkpoint loaded, so a later `aggregate` reruns.
public struct ExecutionsStage: Stage {
    public static let kind = "normalize/executions"
    public static var parameters: StageParameterSchema { ExecutionsConfiguration.schema }

    let configuration: ExecutionsConfiguration

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        configuration = try ExecutionsConfiguration(spec: spec)
    }

    public var recordSchema: RecordSchema { "executions-load/1" }

    public func run(_ context: StageContext) throws -> StageOutcome {
        let reader = try context.input(configuration.input)
        guard reader.manifest.recordSchema == .fileRow else {
            throw ExecutionsError.wrongInput(
                stage: context.spec.id, input: configuration.input, recordSchema: reader.manifest.recordSchema)
        }
        let quarantine = QuarantineSink(output: try context.output)
        let loader = ExecutionLoader(
            parser: ExecutionRowParser(mapping: configuration.mapping, volumeStatuses: configuration.volumeStatuses),
            keepStatuses: configuration.keepStatuses, pipeline: context.pipeline.name, source: context.spec.id)
        let counts = try loader.load(
            day: context.partition, connection: try context.database, manifestHash: reader.manifest.contentHash,
            lines: reader, reject: { try quarantine.add($0) },
            check: { counts in
                let source = reader.manifest.details["file"] ?? configuration.input
                try quarantine.enforce(
                    configuration.threshold, rowsIn: counts.rowsIn - counts.otherDays, path: source, context: context)
                try configuration.shrinkGuard.check(
                    previous: counts.previous, removed: counts.dropped, what: "executions rows",
                    source: source, context: context)
            })
        quarantine.report(to: context)
        var details = quarantine.details
        details["executions.inserted"] = "\(counts.inserted)"
        details["executions.removed"] = "\(counts.removed)"
        context.logger.info(
            "executions loaded",
            metadata: [
                "rows.inserted": "\(counts.inserted)", "rows.removed": "\(counts.removed)",
                "rows.excluded": "\(counts.excluded)",
            ])
        return StageOutcome(
            counts: RowCounts(
                rowsIn: counts.rowsIn, rowsOut: counts.inserted, quarantined: counts.quarantined,
                duplicates: counts.duplicates, excluded: counts.excluded),
            details: details)
    }

    /// Up to date while `etl_loads` still records the input checkpoint this manifest loaded.
    public func isUpToDate(_ context: StageContext, manifest: CheckpointManifest) throws -> Bool {
        guard let loaded = manifest.inputs[configuration.input] else { return false }
        return try LoadLedger.hasRecorded(
            pipeline: context.pipeline.name, partition: context.partition, stage: context.spec.id,
            manifestHash: loaded, on: context.database)
    }
}

import ChainETLCore

/// `uses: load/prices`: loads the partition day's rows of a daily price file into `token_prices`
/// and the configured fixed prices into `token_fixed_prices` (see `PriceLoader`).
///
/// Run it before `aggregate`: `volume_usd` is computed when a day is aggregated, and the
/// `etl_loads` entry it writes makes an already aggregated day aggregate again. A price file
/// without rows, a quarantined share above `quarantine_threshold`, or a reload removing more than
/// `max_shrink` of the day's loaded prices (without `--force` or `allow_shrink: true`) fails the
/// stage and changes nothing.
public struct PricesStage: Stage {
    public static let kind = "load/prices"
    public static var parameters: StageParameterSchema { PricesConfiguration.schema }

    let configuration: PricesConfiguration

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        configuration = try PricesConfiguration(spec: spec, pipeline: pipeline)
    }

    public var recordSchema: RecordSchema { "prices-load/1" }

    public var configurationInputs: [String: String] {
        configuration.fileDigest.map { ["file.sha256": $0] } ?? [:]
    }

    public func run(_ context: StageContext) throws -> StageOutcome {
        let quarantine = QuarantineSink(output: try context.output)
        let source = configuration.file?.written ?? "fixed"
        let loader = PriceLoader(
            pipeline: context.pipeline.name, stageID: context.spec.id, source: source, fixed: configuration.fixed)
        var fileCounts = PriceFile.Counts()
        let counts = try loader.load(
            day: context.partition,
            manifestHash: context.configHash,
            connection: try context.database
        ) { emit in
            guard let file = configuration.file else { return }
            fileCounts = try PriceFile(path: file.resolved, displayPath: file.written)
                .prices(on: context.partition, emit: emit, reject: { try quarantine.add($0) })
            guard fileCounts.rowsIn > 0 else {
                throw FileSourceError.emptyFile(stage: context.spec.id, path: file.written)
            }
        } check: { counts in
            guard let file = configuration.file else { return }
            try quarantine.enforce(
                configuration.threshold, rowsIn: fileCounts.rowsIn - fileCounts.otherDays, path: file.written,
                context: context)
            try configuration.shrinkGuard.check(
                previous: counts.previous, removed: counts.pricesRemoved, what: "prices of the day",
                source: file.written, context: context)
        }
        quarantine.report(to: context)
        var details = quarantine.details
        details["prices"] = "\(counts.prices)"
        details["prices.changed"] = "\(counts.pricesChanged)"
        details["prices.removed"] = "\(counts.pricesRemoved)"
        details["fixed"] = "\(configuration.fixed.count)"
        details["fixed.changed"] = "\(counts.fixedChanged)"
        return StageOutcome(
            counts: RowCounts(
                rowsIn: fileCounts.rowsIn, rowsOut: fileCounts.rowsOut, quarantined: fileCounts.quarantined,
                excluded: fileCounts.excluded),
            details: details)
    }

    /// Up to date while `etl_loads` records this configuration (file digest included) for the day.
    public func isUpToDate(_ context: StageContext, manifest: CheckpointManifest) throws -> Bool {
        try LoadLedger.hasRecorded(
            pipeline: context.pipeline.name, partition: context.partition, stage: context.spec.id,
            manifestHash: manifest.configHash, on: context.database)
    }
}

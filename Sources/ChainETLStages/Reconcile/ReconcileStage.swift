import ChainETLCore
import ChainETLPostgres

/// `uses: reconcile`: compares, per (chain, token) of the partition day, the transfer count and
/// the exact value sum in the store (`transfers`, rows this pipeline loaded) with a second source:
/// the raw checkpoint of another extract stage (`against:`), run through normalize's
/// `TransferNormalizer` and counted (`RawTransferCounter`).
///
/// Output (`reconcile-discrepancy/1`): one line per mismatching (chain, token, day) with both
/// sides' counts and sums and the differences (second source minus store). Counts: `in` pairs
/// compared, `out` mismatches, `excluded` pairs that agree. With `refetch: true` (or
/// `chainetl run --refetch`) every mismatch is marked in `etl_refetch`, and the runner reloads the
/// partition's extract stages on the next run.
///
/// It reads the store, so it is up to date only while the run ledger records its checkpoint and
/// no upstream stage of the partition has run since.
public struct ReconcileStage: Stage {
    public static let kind = "reconcile"
    public static var parameters: StageParameterSchema { ReconcileConfiguration.schema }

    let configuration: ReconcileConfiguration
    /// Every stage this one depends on, directly or not.
    let upstream: [String]

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        configuration = try ReconcileConfiguration(spec: spec, pipeline: pipeline)
        upstream = (try? StageGraph(stages: pipeline.stages).upstream(of: spec.id)) ?? spec.needs
    }

    public var recordSchema: RecordSchema { "reconcile-discrepancy/1" }

    public func run(_ context: StageContext) throws -> StageOutcome {
        let output = try context.output
        let source = try context.input(configuration.against)
        guard source.manifest.recordSchema == .rawExplorerRow else {
            throw ReconcileError.notRawRows(stage: configuration.against, recordSchema: source.manifest.recordSchema)
        }
        var counter = RawTransferCounter(
            partition: context.partition, chains: Set(configuration.chains.keys), tokens: configuration.tokens)
        context.progress.expect(total: source.manifest.totalRows, unit: "rows")
        try source.forEachLine { line in
            try counter.add(line: line)
            context.progress.advance()
        }
        context.progress.flush()
        let database = try context.database
        let store = try StoreTransferTally.read(
            pipeline: context.pipeline.name, partition: context.partition, chains: Set(configuration.chains.keys),
            tokens: configuration.tokens, stageID: context.spec.id, on: database)

        var line = JSONLineWriter(capacity: 512)
        var marks: [RefetchLedger.Mark] = []
        var storeTotal = TransferTally()
        var sourceTotal = TransferTally()
        let keys = Set(store.keys).union(counter.tallies.keys).sorted()
        for key in keys {
            let stored = store[key] ?? TransferTally()
            let counted = counter.tallies[key] ?? TransferTally()
            storeTotal.count += stored.count
            sourceTotal.count += counted.count
            _ = storeTotal.sum.add(stored.sum)
            _ = sourceTotal.sum.add(counted.sum)
            guard !stored.agrees(with: counted, partsPerBillion: configuration.tolerancePartsPerBillion) else {
                continue
            }
            Self.writeDiscrepancy(
                key: key, day: context.partition, store: stored, source: counted, against: configuration.against,
                into: &line)
            try output.append(line)
            marks.append(
                RefetchLedger.Mark(
                    chainID: key.chainID, token: key.token,
                    reason: "reconcile \(context.spec.id): store \(stored.count) transfers, sum \(stored.sum); "
                        + "\(configuration.against) \(counted.count) transfers, sum \(counted.sum)"))
        }

        let refetch = configuration.refetch || context.options.refetch
        let cleared = try RefetchLedger.update(
            marks, marking: refetch, chains: Set(configuration.chains.keys), tokens: configuration.tokens,
            pipeline: context.pipeline.name, partition: context.partition, runID: context.runID, on: database)
        var details: [String: String] = [
            "reconcile.against": configuration.against,
            "reconcile.compared": "\(keys.count)",
            "reconcile.mismatched": "\(marks.count)",
            "reconcile.store.transfers": "\(storeTotal.count)",
            "reconcile.store.value_sum": "\(storeTotal.sum)",
            "reconcile.source.transfers": "\(sourceTotal.count)",
            "reconcile.source.value_sum": "\(sourceTotal.sum)",
            "reconcile.source.rows": "\(counter.rows)",
            "reconcile.source.counted": "\(counter.counted)",
            "reconcile.source.excluded": "\(counter.excluded)",
            "reconcile.source.quarantined": "\(counter.quarantined)",
            "reconcile.refetch.marked": "\(refetch ? marks.count : 0)",
            "reconcile.refetch.cleared": "\(cleared)",
        ]
        if let first = counter.firstQuarantine {
            details["reconcile.source.first_quarantined_line"] = "\(first.line)"
            details["reconcile.source.first_quarantine_reason"] = first.reason
        }
        if configuration.tolerancePartsPerBillion > 0 {
            details["reconcile.tolerance_ppb"] = "\(configuration.tolerancePartsPerBillion)"
        }
        if !marks.isEmpty {
            context.events.record(
                kind: "reconcile.mismatch", message: "store and second source disagree",
                details: [
                    "against": configuration.against, "mismatched": "\(marks.count)",
                    "refetch.marked": "\(refetch ? marks.count : 0)",
                ])
        }
        context.logger.info(
            "reconcile finished",
            metadata: [
                "reconcile.compared": "\(keys.count)", "reconcile.mismatched": "\(marks.count)",
                "reconcile.refetch.marked": "\(refetch ? marks.count : 0)",
            ])
        return StageOutcome(
            counts: RowCounts(rowsIn: keys.count, rowsOut: marks.count, excluded: keys.count - marks.count),
            details: details)
    }

    /// Up to date while the ledger records this checkpoint and no upstream stage of the partition
    /// ran (succeeded) after it: a reload changes the store, so the comparison must be redone.
    public func isUpToDate(_ context: StageContext, manifest: CheckpointManifest) throws -> Bool {
        guard try StageLedger.recordsSuccess(of: manifest, context: context) else { return false }
        let rows = try context.database.execute(
            SQLQuery(
                """
                SELECT count(*) FROM etl_stage_runs later
                WHERE later.pipeline = $1 AND later.partition = $2::date AND later.stage = ANY($4::text[])
                  AND later.status = 'succeeded'
                  AND later.finished_at > (
                    SELECT max(finished_at) FROM etl_stage_runs mine
                    WHERE mine.pipeline = $1 AND mine.partition = $2::date AND mine.stage = $3
                      AND mine.status = 'succeeded')
                """,
                [
                    context.pipeline.name, context.partition.description, context.spec.id,
                    PostgresTextArray(upstream),
                ]))
        return try rows.int(row: 0, column: 0) == 0
    }

    /// `{"chain_id":1,"token_address":"0x…","day":"…","store_transfers":…,"store_value_sum":"…",
    /// "source":"<against>","source_transfers":…,"source_value_sum":"…","transfers_difference":…,
    /// "value_sum_difference":"+…"}` (differences are source minus store).
    static func writeDiscrepancy(
        key: TallyKey, day: PartitionDay, store: TransferTally, source: TransferTally, against: String,
        into line: inout JSONLineWriter
    ) {
        line.reset()
        line.beginObject()
        line.key("chain_id")
        line.int(key.chainID)
        line.key("token_address")
        line.string(key.token)
        line.key("day")
        line.string(day.description)
        line.key("store_transfers")
        line.int(store.count)
        line.key("store_value_sum")
        line.string(store.sum.description)
        line.key("source")
        line.string(against)
        line.key("source_transfers")
        line.int(source.count)
        line.key("source_value_sum")
        line.string(source.sum.description)
        line.key("transfers_difference")
        line.int(source.count - store.count)
        line.key("value_sum_difference")
        line.string(WideUnsigned.signedDifference(from: store.sum, to: source.sum))
        line.endObject()
    }
}

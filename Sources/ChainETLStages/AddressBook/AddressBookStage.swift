import ChainETLCore

/// `uses: load/address-book`: loads `entities` and `entity_addresses` from a CSV or YAML book,
/// idempotently (see `AddressBookLoader`).
///
/// Rows naming an unknown entity, and malformed rows, are counted, quarantined with `file:line`
/// and skipped; the load goes on. The book's text joins the config hash, so editing it reloads.
/// An empty book, a quarantined share above `quarantine_threshold`, or a reload removing more than
/// `max_shrink` of the rows the book loaded before (without `--force` or `allow_shrink: true`)
/// fails the stage and changes nothing.
public struct AddressBookStage: Stage {
    public static let kind = "load/address-book"
    public static var parameters: StageParameterSchema { AddressBookConfiguration.schema }

    let configuration: AddressBookConfiguration

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        configuration = try AddressBookConfiguration(spec: spec, pipeline: pipeline)
    }

    public var recordSchema: RecordSchema { "address-book-load/1" }

    public var configurationInputs: [String: String] { ["file.text": configuration.text] }

    public func run(_ context: StageContext) throws -> StageOutcome {
        let book = try AddressBookFile.read(
            path: configuration.file.resolved, displayPath: configuration.file.written, format: configuration.format)
        let quarantine = QuarantineSink(output: try context.output)
        for rejection in book.rejections { try quarantine.add(rejection) }
        let loader = AddressBookLoader(
            pipeline: context.pipeline.name, stageID: context.spec.id, source: configuration.file.written)
        let rowsIn = book.entities.count + book.addresses.count + book.rejections.count
        guard rowsIn > 0 else {
            throw FileSourceError.emptyFile(stage: context.spec.id, path: configuration.file.written)
        }
        let counts = try loader.load(
            book, partition: context.partition, manifestHash: context.configHash, connection: try context.database,
            reject: { try quarantine.add($0) },
            check: { counts in
                try quarantine.enforce(
                    configuration.threshold, rowsIn: rowsIn, path: configuration.file.written, context: context)
                try configuration.shrinkGuard.check(
                    previous: counts.previous, removed: counts.entitiesRemoved + counts.addressesRemoved,
                    what: "entity and address rows", source: configuration.file.written, context: context)
            })
        quarantine.report(to: context)
        var details = quarantine.details
        details["entities"] = "\(counts.entities)"
        details["entities.changed"] = "\(counts.entitiesChanged)"
        details["entities.removed"] = "\(counts.entitiesRemoved)"
        details["addresses"] = "\(counts.addresses)"
        details["addresses.added"] = "\(counts.addressesAdded)"
        details["addresses.removed"] = "\(counts.addressesRemoved)"
        details["addresses.unknown_entity"] = "\(counts.unknownEntity)"
        // Entity and address rows are both "rows"; a book row defining both counts once per table.
        return StageOutcome(
            counts: RowCounts(
                rowsIn: rowsIn, rowsOut: counts.entities + counts.addresses, quarantined: quarantine.count,
                duplicates: book.addresses.count - counts.addresses - counts.unknownEntity),
            details: details)
    }

    /// Up to date while `etl_loads` records this book (by config hash) for the partition.
    public func isUpToDate(_ context: StageContext, manifest: CheckpointManifest) throws -> Bool {
        try LoadLedger.hasRecorded(
            pipeline: context.pipeline.name, partition: context.partition, stage: context.spec.id,
            manifestHash: manifest.configHash, on: context.database)
    }
}

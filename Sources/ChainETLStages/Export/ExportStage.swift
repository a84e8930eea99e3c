import ChainETLCore
import ChainETLPostgres
import Foundation

/// `uses: export`: writes the partition's summaries to `<root>/<pipeline>/<partition>/` as CSV
/// and gzip NDJSON with a `manifest.json` of provenance and checksums (SPEC §8, docs/exports.md).
///
/// The checkpoint holds no rows; its counts are the rows exported. The bundle lives outside the
/// checkpoint, so a matching checkpoint counts as up to date only while the bundle is still in
/// place, unchanged, and was written by the same export queries.
public struct ExportStage: Stage {
    public static let kind = "export"
    public static var parameters: StageParameterSchema { ExportConfiguration.schema }

    let configuration: ExportConfiguration

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        configuration = try ExportConfiguration(spec: spec, pipeline: pipeline)
    }

    public var recordSchema: RecordSchema { "export-result/1" }

    public func run(_ context: StageContext) throws -> StageOutcome {
        let writer = ExportBundleWriter(
            queries: configuration.queries, root: configuration.rootDirectory(workdir: context.workdir))
        let request = ExportBundleWriter.Request(
            pipeline: context.pipeline.name, chains: context.pipeline.chains, partition: context.partition,
            runID: context.runID, stageID: context.spec.id, inputs: Self.inputHashes(context.inputs), now: Date())
        let manifest = try writer.write(request, connection: try context.database, logger: context.logger)
        let rows = manifest.summaries.reduce(0) { $0 + $1.rows }
        var details = ["export.summaries": manifest.summaries.map(\.name).joined(separator: ",")]
        for summary in manifest.summaries {
            details["export.rows.\(summary.name)"] = "\(summary.rows)"
        }
        return StageOutcome(counts: RowCounts(rowsIn: rows, rowsOut: rows), details: details)
    }

    public func isUpToDate(_ context: StageContext, manifest: CheckpointManifest) throws -> Bool {
        guard let bundle = try? ExportBundleVerifier(directory: bundleDirectory(context)).verifyFiles() else { return false }
        let queries = configuration.queries
        return bundle.summaries.map(\.name) == queries.map(\.name)
            && bundle.summaries.map(\.querySHA256) == queries.map(\.sha256)
            && bundle.inputs == Self.inputHashes(context.inputs)
            // A bundle written before the loaders were shipped is exported again, with them.
            && bundle.loaders != nil
    }

    /// The partition's bundle: `<root>/<pipeline>/<partition>/`.
    func bundleDirectory(_ context: StageContext) -> URL {
        configuration.rootDirectory(workdir: context.workdir)
            .appendingPathComponent(context.pipeline.name, isDirectory: true)
            .appendingPathComponent(context.partition.description, isDirectory: true)
    }

    /// Each upstream checkpoint's content hash, plus the upstream hashes it records itself.
    static func inputHashes(_ inputs: [String: CheckpointReader]) -> [String: String] {
        var hashes: [String: String] = [:]
        for (stage, reader) in inputs {
            hashes.merge(reader.manifest.inputs) { current, _ in current }
            hashes[stage] = reader.manifest.contentHash
        }
        return hashes
    }
}

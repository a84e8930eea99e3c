import ChainETLCore

/// `extract/blockscout`: the Blockscout Etherscan-compatible API, `mode: tokentx` (default) or
/// `mode: logs`, or REST v2 with keyset cursors, `mode: v2`.
///
/// Per chain and UTC-day partition it resolves the day's blocks, refuses an open day unless
/// `--allow-open`, and writes every row verbatim as a `raw-explorer-row/1` line. Parameters:
/// `ExtractConfiguration`; the work: `DayExtraction`.
public struct BlockscoutStage: ExplorerExtractStage {
    public static let kind = ExtractKind.blockscout.rawValue
    public static var parameters: StageParameterSchema { ExtractKind.blockscout.schema }

    let configuration: ExtractConfiguration

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        configuration = try ExtractConfiguration(kind: .blockscout, spec: spec, pipeline: pipeline)
    }

    public var recordSchema: String { ExtractStageRun.recordSchema }

    public var scopes: [ExtractionScope] { configuration.scopes }

    public func run(_ context: StageContext) throws -> StageOutcome {
        try ExtractStageRun.run(configuration, context: context)
    }

    public func isUpToDate(_ context: StageContext, manifest: CheckpointManifest) throws -> Bool {
        ExtractStageRun.isUpToDate(manifest)
    }
}

import ChainETLCore

/// The three explorer extract stages, one type parameterised by its kind:
/// `ExplorerExtract<EtherscanLogsKind>` is `extract/etherscan-logs`, and so on (`ExtractKind`
/// says what tells them apart).
///
/// Per chain and UTC-day partition it resolves the day's blocks, refuses an open day unless
/// `--allow-open`, and writes every row verbatim as a `raw-explorer-row/1` line. Parameters:
/// `ExtractConfiguration`; the work: `DayExtraction`, wired by `ExtractStageRun`.
public struct ExplorerExtract<Kind: ExplorerExtractKind>: ExplorerExtractStage {
    public static var kind: String { Kind.extractKind.rawValue }
    public static var parameters: StageParameterSchema { Kind.extractKind.schema }

    let configuration: ExtractConfiguration

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        configuration = try ExtractConfiguration(kind: Kind.extractKind, spec: spec, pipeline: pipeline)
    }

    public var recordSchema: RecordSchema { .rawExplorerRow }

    public var scopes: [ExtractionScope] { configuration.scopes }

    public func run(_ context: StageContext) throws -> StageOutcome {
        try ExtractStageRun.run(configuration, context: context)
    }

    public func isUpToDate(_ context: StageContext, manifest: CheckpointManifest) throws -> Bool {
        ExtractStageRun.isUpToDate(manifest)
    }
}

/// Names the kind of an `ExplorerExtract`: one caseless enum per `ExtractKind` case.
public protocol ExplorerExtractKind: Sendable {
    static var extractKind: ExtractKind { get }
}

/// `extract/etherscan-logs`.
public enum EtherscanLogsKind: ExplorerExtractKind {
    public static var extractKind: ExtractKind { .etherscanLogs }
}

/// `extract/etherscan-tokentx`.
public enum EtherscanTokenTransfersKind: ExplorerExtractKind {
    public static var extractKind: ExtractKind { .etherscanTokenTransfers }
}

/// `extract/blockscout`.
public enum BlockscoutKind: ExplorerExtractKind {
    public static var extractKind: ExtractKind { .blockscout }
}

import ChainETLCore

/// Maps a `uses:` kind to its stage type: builds stages and tells validation which kinds and
/// parameters exist.
public struct StageRegistry: StageKindCatalog {
    private var kinds: [String: any Stage.Type]

    /// A registry of exactly these stage types.
    public init(_ stageTypes: [any Stage.Type]) {
        var kinds: [String: any Stage.Type] = [:]
        for stageType in stageTypes {
            precondition(kinds[stageType.kind] == nil, "stage kind \(stageType.kind) registered twice")
            kinds[stageType.kind] = stageType
        }
        self.kinds = kinds
    }

    /// Every product kind. Each stage kind adds its type here, one line each (the `test/…` kinds
    /// live in ChainETLTestSupport).
    public static let standard = StageRegistry([
        SQLStage.self,
        ExplorerExtract<EtherscanLogsKind>.self,
        ExplorerExtract<EtherscanTokenTransfersKind>.self,
        ExplorerExtract<BlockscoutKind>.self,
        NormalizeStage.self,
        DedupeStage.self,
        AggregateStage.self,
        AddressBookStage.self,
        FileSourceStage.self,
        ExecutionsStage.self,
        PricesStage.self,
        ExportStage.self,
        LoadStage.self,
        PruneStage.self,
        ReconcileStage.self,
    ])

    /// This registry with `stageTypes` added (e.g. the test kinds of ChainETLTestSupport).
    public func adding(_ stageTypes: [any Stage.Type]) -> StageRegistry {
        StageRegistry(Array(kinds.values) + stageTypes)
    }

    /// The known kinds, sorted.
    public var knownKinds: [String] { kinds.keys.sorted() }

    public func parameterSchema(forKind kind: String) -> StageParameterSchema? {
        kinds[kind]?.parameters
    }

    /// The stage type for `kind`, if any.
    public func stageType(for kind: String) -> (any Stage.Type)? { kinds[kind] }

    /// Builds the stage declared by `spec`, reading its parameters.
    public func makeStage(_ spec: StageSpec, pipeline: PipelineSpec) throws -> any Stage {
        guard let stageType = kinds[spec.kind] else {
            throw StageError.unknownKind(spec.kind, location: spec.location)
        }
        return try stageType.init(spec: spec, pipeline: pipeline)
    }

    /// Builds every stage of `pipeline`, by id, and collects the problems of all of them (a stage
    /// that fails to build is left out).
    public func makeStages(of pipeline: PipelineSpec) -> (stages: [String: any Stage], problems: [ConfigDiagnostic]) {
        var stages: [String: any Stage] = [:]
        var problems: [ConfigDiagnostic] = []
        for spec in pipeline.stages {
            do {
                stages[spec.id] = try makeStage(spec, pipeline: pipeline)
            } catch let diagnostic as ConfigDiagnostic {
                problems.append(diagnostic)
            } catch let diagnostics as ConfigDiagnostics {
                problems.append(contentsOf: diagnostics.diagnostics)
            } catch {
                problems.append(ConfigDiagnostic(location: spec.location, message: "\(error)"))
            }
        }
        return (stages, problems)
    }
}

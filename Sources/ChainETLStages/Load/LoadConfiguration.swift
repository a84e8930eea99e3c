import ChainETLCore

/// The `with:` of a `load` stage.
///
/// ```yaml
/// - id: load
///   uses: load
///   needs: [dedupe]          # exactly one transfer/1 checkpoint
///   with:
///     table: transfers       # default
///     chains: [ethereum]     # default: every chain of the pipeline
/// ```
struct LoadConfiguration: Sendable {
    static let schema = StageParameterSchema(parameters: [
        StageParameter(
            name: "table", type: .string,
            description: "the table to load, default transfers (it must have the transfers columns)"),
        StageParameter(
            name: "chains", type: .chainList,
            description:
                "the chains this stage loads, default every chain of the pipeline; rows of other chains are excluded"),
    ])

    /// The upstream stage whose transfer/1 checkpoint is loaded.
    var input: String
    var table: String
    /// Chain ids loaded, sorted and distinct.
    var chainIDs: [Int]

    init(spec: StageSpec, pipeline: PipelineSpec) throws {
        guard spec.needs.count == 1 else {
            throw ConfigDiagnostic(
                location: spec.location,
                message: "load stage \(spec.id) needs exactly one stage in needs:, has \(spec.needs.count)",
                hint: "write needs: [dedupe] (the stage whose transfer/1 checkpoint is loaded)")
        }
        input = spec.needs[0]
        table = try spec.parameters.string("table") ?? TransferLoader.defaultTable
        guard Self.isPlainIdentifier(table) else {
            throw ConfigDiagnostic(
                location: spec.parameters.node("table")?.location ?? spec.location,
                message: "load stage \(spec.id): table '\(table)' is not a plain lowercase table name",
                hint: "use letters, digits and _ only, e.g. table: transfers")
        }
        chainIDs = try Self.chainIDs(of: spec, in: pipeline)
        guard !chainIDs.isEmpty else {
            throw ConfigDiagnostic(
                location: spec.location, message: "load stage \(spec.id) has no chain to load",
                hint: "declare the pipeline's chains under chains:")
        }
        // Two loads of one pipeline covering the same chain would delete each other's rows.
        for other in pipeline.stages where other.kind == LoadStage.kind && other.id != spec.id {
            guard (try? other.parameters.string("table")) ?? TransferLoader.defaultTable == table,
                let otherChains = try? Self.chainIDs(of: other, in: pipeline)
            else { continue }
            let shared = Set(otherChains).intersection(chainIDs)
            if !shared.isEmpty {
                throw ConfigDiagnostic(
                    location: spec.parameters.node("chains")?.location ?? spec.location,
                    message:
                        "load stages \(spec.id) and \(other.id) both load chain id \(shared.sorted()[0]) into \(table)",
                    hint: "give each load stage its own chains: so one load never replaces the other's rows")
            }
        }
    }

    /// The configured chains' ids, or every chain of the pipeline.
    private static func chainIDs(of spec: StageSpec, in pipeline: PipelineSpec) throws -> [Int] {
        guard let names = try spec.parameters.stringList("chains") else {
            return Array(Set(pipeline.chains.map(\.chainID))).sorted()
        }
        var ids: [Int] = []
        for name in names {
            guard let chain = pipeline.chain(named: name) else {
                throw ConfigDiagnostic(
                    location: spec.parameters.node("chains")?.location ?? spec.location,
                    message: "load stage \(spec.id) names chain '\(name)', which is not declared under chains:",
                    hint: "use one of: \(pipeline.chains.map(\.name).joined(separator: ", "))")
            }
            ids.append(chain.chainID)
        }
        return Array(Set(ids)).sorted()
    }

    private static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first), name.utf8.count <= 63 else { return false }
        return name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }
}

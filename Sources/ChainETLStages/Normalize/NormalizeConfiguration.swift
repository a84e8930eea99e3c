import ChainETLCore

/// The `with:` of a `normalize/transfers` stage.
///
/// ```yaml
/// - id: normalize
///   uses: normalize/transfers
///   needs: [extract_logs, extract_tokentx]   # one or more raw-explorer-row/1 checkpoints
///   with:
///     quarantine_threshold: 0.001            # a fraction of rows in (0.001 = 0.1 %, the default)
///     chains: [ethereum]                     # default: every chain of the pipeline
/// ```
struct NormalizeConfiguration: Sendable {
    static let schema = StageParameterSchema(parameters: [
        QuarantineThreshold.parameter,
        StageParameter(
            name: "chains", type: .chainList,
            description: "the chains to normalize, default every chain; rows of other pipeline chains are excluded"),
    ])

    /// One chain to normalize.
    struct Chain: Sendable {
        var chainID: Int
        var tokens: [TrackedToken]
    }

    /// Upstream stage ids, in `needs:` order.
    var inputs: [String]
    var threshold: QuarantineThreshold
    /// The selected chains, in `chains:` order (file order by default), one per chain id.
    var chains: [Chain]
    /// Chain ids of the pipeline that are not selected.
    var otherChainIDs: [Int]

    init(spec: StageSpec, pipeline: PipelineSpec) throws {
        guard !spec.needs.isEmpty else {
            throw ConfigDiagnostic(
                location: spec.location, message: "normalize stage \(spec.id) has no input in needs:",
                hint: "list the extract stages it reads, e.g. needs: [extract]")
        }
        inputs = spec.needs
        let parameters = spec.parameters
        threshold = try QuarantineThreshold(spec: spec)

        var selected: [ChainSpec] = []
        if let names = try parameters.stringList("chains") {
            let location = parameters.node("chains")?.location ?? spec.location
            guard !names.isEmpty else {
                throw ConfigDiagnostic(
                    location: location, message: "chains is an empty list, so nothing would be normalized",
                    hint: "name at least one chain, or leave chains out to normalize every chain")
            }
            for name in names {
                guard let chain = pipeline.chain(named: name) else {
                    throw ConfigDiagnostic(
                        location: location,
                        message:
                            "normalize stage \(spec.id) names chain '\(name)', which is not declared under chains:",
                        hint: "use one of: \(pipeline.chains.map(\.name).joined(separator: ", "))")
                }
                selected.append(chain)
            }
        } else {
            selected = pipeline.chains
        }
        var chains: [Chain] = []
        for chain in selected {
            if let index = chains.firstIndex(where: { $0.chainID == chain.chainID }) {
                chains[index].tokens += chain.tokens
            } else {
                chains.append(Chain(chainID: chain.chainID, tokens: chain.tokens))
            }
        }
        self.chains = chains
        let selectedIDs = Set(chains.map(\.chainID))
        otherChainIDs = Array(Set(pipeline.chains.map(\.chainID)).subtracting(selectedIDs)).sorted()
    }
}

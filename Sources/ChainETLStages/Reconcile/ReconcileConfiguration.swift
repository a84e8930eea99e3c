import ChainETLCore

/// The `with:` of a `reconcile` stage.
///
/// ```yaml
/// - id: reconcile
///   uses: reconcile
///   needs: [load, extract_blockscout]
///   with:
///     against: extract_blockscout   # a raw-explorer-row/1 stage from a second source; in needs:
///     tolerance: 0                  # allowed relative difference, 0 (exact) up to 1
///     refetch: true                 # mark mismatched partitions in etl_refetch (or run --refetch)
///     chains: [ethereum]            # default: every chain of the pipeline
///     tokens: ["0xa0b8…"]           # default: the chains' tracked tokens, or every token seen
/// ```
struct ReconcileConfiguration: Sendable {
    static let schema = StageParameterSchema(parameters: [
        StageParameter(
            name: "against", type: .string, required: true,
            description: "the stage id of the second source's extract (raw explorer rows); list it in needs:"),
        StageParameter(
            name: "tolerance", type: .number,
            description: "allowed relative difference per (chain, token, day), 0 (exact, the default) to 1"),
        StageParameter(
            name: "refetch", type: .boolean,
            description: "mark mismatched partitions for reload in etl_refetch (default false; or run --refetch)"),
        StageParameter(name: "chains", type: .chainList, description: "chains to compare (default: every chain)"),
        StageParameter(
            name: "tokens", type: .stringList,
            description: "token addresses to compare (default: the chains' tracked tokens, else every token seen)"),
    ])

    /// The second source's stage id.
    var against: String
    /// Allowed relative difference in parts per billion (0 = exact).
    var tolerancePartsPerBillion: UInt64
    var refetch: Bool
    /// Chain id -> chain name, for the chains compared.
    var chains: [Int: String]
    /// Lowercase token addresses to compare; empty = every token seen on either side.
    var tokens: Set<String>

    static let partsPerBillion: UInt64 = 1_000_000_000

    init(spec: StageSpec, pipeline: PipelineSpec) throws {
        let parameters = spec.parameters
        against = try parameters.requiredString("against")
        let againstLocation = parameters.node("against")?.location ?? spec.location
        guard against != spec.id else {
            throw ConfigDiagnostic(
                location: againstLocation, message: "reconcile stage \(spec.id) cannot reconcile against itself",
                hint: "name the extract stage of the second source")
        }
        guard spec.needs.contains(against) else {
            throw ConfigDiagnostic(
                location: againstLocation,
                message: "reconcile stage \(spec.id) compares against \(against), which is not in its needs:",
                hint: "add \(against) to needs: so its checkpoint is built first and handed to the stage")
        }

        let tolerance = try parameters.number("tolerance") ?? 0
        guard tolerance >= 0, tolerance <= 1 else {
            throw ConfigDiagnostic(
                location: parameters.node("tolerance")?.location ?? spec.location,
                message: "tolerance must be between 0 and 1, got \(tolerance)",
                hint: "0 means exact; 0.001 allows 0.1 % difference in counts and sums")
        }
        // Configuration, not an amount: rounding the fraction to parts per billion is exact enough.
        tolerancePartsPerBillion = UInt64((tolerance * Double(Self.partsPerBillion)).rounded())
        refetch = try parameters.boolean("refetch") ?? false

        let names = try parameters.stringList("chains") ?? pipeline.chains.map(\.name)
        var chains: [Int: String] = [:]
        var tracked: Set<String> = []
        for name in names {
            guard let chain = pipeline.chain(named: name) else {
                throw ConfigDiagnostic(
                    location: parameters.node("chains")?.location ?? spec.location,
                    message: "reconcile stage \(spec.id) names chain \(name), which is not under chains:",
                    hint: "use a chain name declared under chains:")
            }
            chains[chain.chainID] = chain.name
            tracked.formUnion(chain.tokens.map { $0.address.lowercased() })
        }
        guard !chains.isEmpty else {
            throw ConfigDiagnostic(
                location: spec.location, message: "reconcile stage \(spec.id) has no chain to compare",
                hint: "declare a chain under chains: or list some in with: chains:")
        }
        self.chains = chains

        if let listed = try parameters.stringList("tokens") {
            var tokens: Set<String> = []
            for token in listed {
                let lowered = token.lowercased()
                guard Self.isAddress(lowered) else {
                    throw ConfigDiagnostic(
                        location: parameters.node("tokens")?.location ?? spec.location,
                        message: "token '\(token)' is not an address", hint: "write 0x followed by 40 hex digits")
                }
                tokens.insert(lowered)
            }
            self.tokens = tokens
        } else {
            tokens = tracked
        }
    }

    /// `0x` + 40 lowercase hex digits.
    static func isAddress(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 42, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") else { return false }
        return bytes[2...].allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

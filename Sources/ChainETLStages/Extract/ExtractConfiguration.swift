import ChainETLCore
import ChainETLExplorers

/// The `with:` of an extract stage, resolved against the pipeline's chains.
///
/// ```yaml
/// - id: extract_logs
///   uses: extract/etherscan-logs      # or extract/etherscan-tokentx, extract/blockscout
///   with:
///     chains: [ethereum]              # default: every chain whose explorer matches the kind
///     tokens: [USDC, "0xa0b8…"]       # default: every tracked token of each chain
///     accounts: ["0x…"]               # tokentx and blockscout only; default: the chain's accounts
///     mode: tokentx                   # blockscout only: tokentx (default), logs or v2
///     offset: 1000                    # rows per page, 1…1000 (default 1000); not with mode: v2
///     reorg_check: true               # see ReorgCheckSettings
///     reorg_window_blocks: 64
/// ```
///
/// Per chain, `etherscan-logs` (and Blockscout `mode: logs`) walks each token contract. The
/// tokentx kinds walk each (token, account) pair when accounts are given, each account alone when
/// the chain tracks no tokens, and each token contract when there are no accounts. Blockscout
/// `mode: v2` (REST v2, keyset cursors, 50 items per page) walks the same targets:
/// `/api/v2/tokens/{token}/transfers` for a token, `/api/v2/addresses/{account}/token-transfers`
/// (`type=ERC-20`, `token=` when paired) for an account.
struct ExtractConfiguration: Sendable {
    /// What one chain's extraction walks.
    struct ChainTargets: Sendable {
        var chain: ChainSpec
        let source: ExplorerSourceKind
        var targets: [ExtractionTarget]
    }

    static let defaultOffset = 1000
    static let maximumOffset = 1000

    var kind: ExtractKind
    /// The selected chains, in `chains:` order (file order by default).
    var chains: [ChainTargets]
    /// Rows asked per page.
    var offset: Int
    /// `reorg_check` and `reorg_window_blocks`.
    var reorg: ReorgCheckSettings

    init(kind: ExtractKind, spec: StageSpec, pipeline: PipelineSpec) throws {
        self.kind = kind
        let parameters = spec.parameters
        func location(_ key: String) -> SourceLocation { parameters.node(key)?.location ?? spec.location }

        var offset = try parameters.integer("offset") ?? Self.defaultOffset
        guard (1...Self.maximumOffset).contains(offset) else {
            throw ConfigDiagnostic(
                location: location("offset"),
                message: "offset must be between 1 and \(Self.maximumOffset), got \(offset)",
                hint: "explorers serve at most 1000 rows per page; leave offset out to use 1000")
        }
        reorg = try ReorgCheckSettings(spec: spec)

        let source: ExplorerSourceKind
        switch kind {
        case .etherscanLogs: source = .etherscanLogs
        case .etherscanTokenTransfers: source = .etherscanTokenTransfers
        case .blockscout:
            switch try parameters.string("mode") ?? "tokentx" {
            case "tokentx": source = .blockscoutTokenTransfers
            case "logs": source = .blockscoutLogs
            case "v2": source = .blockscoutV2
            case let other:
                throw ConfigDiagnostic(
                    location: location("mode"), message: "unknown blockscout mode '\(other)'",
                    hint: "write mode: tokentx, mode: logs or mode: v2")
            }
        }
        if source == .blockscoutV2 {
            if parameters.node("offset") != nil {
                throw ConfigDiagnostic(
                    location: location("offset"), message: "offset cannot be used with mode: v2",
                    hint: "blockscout rest v2 serves \(BlockscoutClient.v2PageSize) items per page; leave offset out")
            }
            offset = BlockscoutClient.v2PageSize
        }
        self.offset = offset

        let chains = try Self.selectChains(kind: kind, spec: spec, pipeline: pipeline)
        let tokenFilter = try parameters.stringList("tokens")
        if let tokenFilter, tokenFilter.isEmpty {
            throw ConfigDiagnostic(
                location: location("tokens"), message: "tokens is an empty list, so nothing would be extracted",
                hint: "name at least one token, or leave tokens out to extract every tracked token")
        }
        let accountOverride = try parameters.stringList("accounts")
        if let accountOverride {
            if source == .blockscoutLogs {
                throw ConfigDiagnostic(
                    location: location("accounts"), message: "accounts cannot be used with mode: logs",
                    hint: "getLogs reads token contracts; use mode: tokentx to walk accounts")
            }
            for account in accountOverride where !Self.isAddress(account) {
                throw ConfigDiagnostic(
                    location: location("accounts"),
                    message: "account '\(account)' is not a 0x-prefixed 20-byte address",
                    hint: "write accounts as 0x followed by 40 hex digits")
            }
        }

        var matched: Set<String> = []
        var resolved: [ChainTargets] = []
        for chain in chains {
            var tokens = chain.tokens.map(\.address)
            if let tokenFilter {
                tokens = chain.tokens.filter { token in
                    let hits = tokenFilter.filter { Self.names(token, $0) }
                    matched.formUnion(hits)
                    return !hits.isEmpty
                }.map(\.address)
            }
            let accounts =
                source == .blockscoutLogs || !kind.acceptsAccounts
                ? [] : (accountOverride?.map { $0.lowercased() } ?? chain.accounts)
            var targets: [ExtractionTarget] = []
            if accounts.isEmpty {
                targets = try tokens.map { try ExtractionTarget(contract: $0) }
            } else if tokens.isEmpty && tokenFilter == nil {
                targets = try accounts.map { try ExtractionTarget(address: $0) }
            } else {
                for account in accounts {
                    for token in tokens { targets.append(try ExtractionTarget(contract: token, address: account)) }
                }
            }
            if targets.isEmpty && tokenFilter == nil {
                throw ConfigDiagnostic(
                    location: chain.location,
                    message: "chain \(chain.name) tracks no tokens\(kind.acceptsAccounts ? " and no accounts" : ""), "
                        + "so stage \(spec.id) has nothing to extract on it",
                    hint: "add tokens: under the chain, or leave it out of the stage's chains:")
            }
            // A token list that names nothing on this chain leaves the chain out.
            if targets.isEmpty { continue }
            resolved.append(ChainTargets(chain: chain, source: source, targets: targets))
        }
        if let tokenFilter {
            for token in tokenFilter where !matched.contains(token) {
                throw ConfigDiagnostic(
                    location: location("tokens"),
                    message: "token '\(token)' is not tracked on any selected chain "
                        + "(\(chains.map(\.name).joined(separator: ", ")))",
                    hint: "add it under the chain's tokens:, or fix the address or symbol")
            }
        }
        self.chains = resolved
    }

    /// The chains `chains:` names (or every chain of the kind's explorer), checked against the kind.
    private static func selectChains(kind: ExtractKind, spec: StageSpec, pipeline: PipelineSpec) throws -> [ChainSpec] {
        let parameters = spec.parameters
        guard let names = try parameters.stringList("chains") else {
            let matching = pipeline.chains.filter { $0.explorer == kind.explorer }
            guard !matching.isEmpty else {
                throw ConfigDiagnostic(
                    location: spec.location,
                    message: "stage \(spec.id) (\(kind.rawValue)) has no chain to read: no chain declares "
                        + "explorer: \(kind.explorer.rawValue)",
                    hint: "declare a chain with explorer: \(kind.explorer.rawValue), or use the stage kind "
                        + "matching your chains' explorer")
            }
            return matching
        }
        let location = parameters.node("chains")?.location ?? spec.location
        guard !names.isEmpty else {
            throw ConfigDiagnostic(
                location: location, message: "chains is an empty list, so nothing would be extracted",
                hint: "name at least one chain, or leave chains out to use every \(kind.explorer.rawValue) chain")
        }
        var chains: [ChainSpec] = []
        for name in names {
            guard let chain = pipeline.chain(named: name) else {
                throw ConfigDiagnostic(
                    location: location, message: "chain '\(name)' is not declared under chains:",
                    hint: "known chains: \(pipeline.chains.map(\.name).joined(separator: ", "))")
            }
            guard chain.explorer == kind.explorer else {
                throw ConfigDiagnostic(
                    location: location,
                    message: "chain \(name) uses explorer \(chain.explorer.rawValue), but \(kind.rawValue) reads "
                        + "\(kind.explorer.rawValue) explorers",
                    hint: chain.explorer == .blockscout
                        ? "read it with uses: extract/blockscout" : "read it with extract/etherscan-logs or -tokentx")
            }
            if !chains.contains(where: { $0.name == name }) { chains.append(chain) }
        }
        return chains
    }

    /// Whether `entry` (an address in any case, or a symbol) names `token`.
    private static func names(_ token: TrackedToken, _ entry: String) -> Bool {
        if entry.hasPrefix("0x") || entry.hasPrefix("0X") { return token.address == entry.lowercased() }
        return token.symbol == entry
    }

    private static func isAddress(_ text: String) -> Bool {
        text.hasPrefix("0x") && text.count == 42 && text.dropFirst(2).allSatisfy(\.isHexDigit)
    }
}

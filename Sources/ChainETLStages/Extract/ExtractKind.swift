import ChainETLCore
import ChainETLExplorers

/// The three explorer extract stage kinds and what tells them apart: the explorer family they read,
/// the endpoint, and the `with:` keys they accept.
public enum ExtractKind: String, Sendable, CaseIterable {
    /// ERC-20 Transfer logs by token contract (`module=logs&action=getLogs`, topic0 = Transfer).
    /// The preferred kind: rows carry `logIndex`.
    case etherscanLogs = "extract/etherscan-logs"
    /// Token transfers by contract and/or account (`module=account&action=tokentx`). Rows have no
    /// `logIndex`.
    case etherscanTokenTransfers = "extract/etherscan-tokentx"
    /// The Blockscout Etherscan-compatible API, `mode: tokentx` (default) or `mode: logs`, or
    /// REST v2 with keyset cursors, `mode: v2`.
    case blockscout = "extract/blockscout"

    /// The explorer family a chain must declare (`explorer:`) to be read by this kind.
    var explorer: ExplorerKind {
        switch self {
        case .etherscanLogs, .etherscanTokenTransfers: return .etherscan
        case .blockscout: return .blockscout
        }
    }

    /// Whether `accounts` may be given (tokentx walks by account).
    var acceptsAccounts: Bool { self != .etherscanLogs }

    /// The `with:` keys of this kind, for `chainetl validate`.
    var schema: StageParameterSchema {
        var parameters = [
            StageParameter(
                name: "chains", type: .chainList,
                description: "chains to extract; default every chain whose explorer is \(explorer.rawValue)"),
            StageParameter(
                name: "tokens", type: .stringList,
                description: "token addresses or symbols, each tracked on a selected chain; default every tracked token"
            ),
        ]
        if acceptsAccounts {
            parameters.append(
                StageParameter(
                    name: "accounts", type: .stringList,
                    description: "accounts to walk with tokentx; default the chain's accounts, by contract when none"))
        }
        if self == .blockscout {
            parameters.append(
                StageParameter(
                    name: "mode", type: .string,
                    description: "tokentx (default), logs or v2 (REST v2, keyset cursors): the Blockscout endpoint read"
                ))
        }
        parameters.append(
            StageParameter(name: "offset", type: .integer, description: "rows asked per page, 1…1000 (default 1000)"))
        parameters.append(contentsOf: ReorgCheckSettings.parameters)
        return StageParameterSchema(parameters: parameters)
    }
}

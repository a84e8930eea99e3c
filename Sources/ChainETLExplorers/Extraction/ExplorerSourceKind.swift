/// Which explorer endpoint an extract stage reads; its raw value is the raw line's `source`.
public enum ExplorerSourceKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Etherscan `getLogs` by token contract, topic0 = Transfer. Rows carry `logIndex`.
    case etherscanLogs = "etherscan-logs"
    /// Etherscan `tokentx` by contract and/or account. Rows have no `logIndex`.
    case etherscanTokenTransfers = "etherscan-tokentx"
    /// Blockscout `tokentx` (Etherscan-compatible API).
    case blockscoutTokenTransfers = "blockscout-tokentx"
    /// Blockscout `getLogs` (page/offset ignored by the server, at most 1,000 logs per call).
    case blockscoutLogs = "blockscout-logs"
    /// Blockscout REST v2 token-transfer lists, newest first, keyset cursors (no block range).
    case blockscoutV2 = "blockscout-v2"

    /// The raw line's `request.endpoint`. Blockscout v2 walks of an account write
    /// `v2/addresses/token-transfers` instead (`TransferExtractor` knows the target).
    public var endpoint: String {
        switch self {
        case .etherscanLogs, .blockscoutLogs: return "logs/getLogs"
        case .etherscanTokenTransfers, .blockscoutTokenTransfers: return "account/tokentx"
        case .blockscoutV2: return "v2/tokens/transfers"
        }
    }

    /// Whether the API pages within a block (`page` 2…10); Blockscout getLogs ignores `page`.
    public var pagesWithinBlock: Bool { self != .blockscoutLogs }

    /// Whether the source is served by a Blockscout instance.
    public var isBlockscout: Bool {
        self == .blockscoutTokenTransfers || self == .blockscoutLogs || self == .blockscoutV2
    }

    public var description: String { rawValue }
}

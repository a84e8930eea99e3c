/// A token contract on a simulated chain. Addresses depend only on the chain id and the index,
/// never on the seed, so pipeline files can name them once.
public struct SimulatedToken: Sendable, Hashable, Codable {
    /// The token standard; ERC-721 logs appear in getLogs only (4 topics, data `"0x"`).
    public enum Standard: String, Sendable, Codable {
        case erc20 = "ERC-20"
        case erc721 = "ERC-721"
    }

    /// How transfer values are drawn.
    public enum ValueProfile: String, Sendable, Codable {
        /// 6 decimals, 0.01 … 1,000,000 units.
        case stablecoin
        /// 18 decimals, values often above 2^64.
        case eighteenDecimals
        /// `tokenDecimal` is empty; small raw values.
        case unknownDecimals
        /// Round spam amounts.
        case spam
        /// Values mostly above 2^64, sometimes exactly 2^256 − 1: daily sums exceed 2^256.
        case huge
        /// ERC-721 token ids.
        case collectible
    }

    public let chainID: Int
    /// Position in `SimulatedChain.tokens(chainID:)`.
    public let index: Int
    /// Lowercase `0x` + 40 hex.
    public let address: String
    public let symbol: String
    public let name: String
    /// `tokenDecimal` exactly as the explorer sends it: digits, or `""` when unknown.
    public let decimals: String
    public let standard: Standard
    public let profile: ValueProfile

    /// Decimals as a number; nil when the explorer sends `""`.
    public var decimalsValue: Int? { Int(decimals) }

    public var isERC20: Bool { standard == .erc20 }

    enum CodingKeys: String, CodingKey {
        case chainID = "chain_id"
        case index, address, symbol, name, decimals, standard, profile
    }
}

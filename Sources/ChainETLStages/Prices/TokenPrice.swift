import ChainETLCore

/// A USD price of a token: for one day (`token_prices`) or fixed (`token_fixed_prices`, day nil).
struct TokenPrice: Equatable, Hashable, Sendable {
    var chainID: Int
    /// Lowercase `0x` address.
    var tokenAddress: String
    var day: PartitionDay?
    /// Exact decimal text.
    var usd: String
}

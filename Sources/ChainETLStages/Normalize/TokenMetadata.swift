import ChainETLCore

/// What the pipeline knows about one token contract: getLogs rows carry no symbol, name or
/// decimals, so normalize takes them from here.
public struct TokenMetadata: Sendable, Hashable {
    /// Lowercase `0x` + 40 hex (any case is accepted and lowercased).
    public var address: String
    public var symbol: String?
    public var name: String?
    public var decimals: Int?

    public init(address: String, symbol: String? = nil, name: String? = nil, decimals: Int? = nil) {
        self.address = address.lowercased()
        self.symbol = symbol
        self.name = name
        self.decimals = decimals
    }

    /// The metadata of a token tracked in a pipeline file (which names no token name).
    public init(_ tracked: TrackedToken) {
        self.init(address: tracked.address, symbol: tracked.symbol, decimals: tracked.decimals)
    }
}

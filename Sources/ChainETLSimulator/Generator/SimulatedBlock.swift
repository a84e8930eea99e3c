import ChainETLCore

/// One generated block: its transactions and its Transfer logs in `logIndex` order.
public struct SimulatedBlock: Sendable {
    public let chainID: Int
    public let number: Int
    /// Unix seconds.
    public let timestamp: Int
    /// Lowercase `0x` + 64 hex.
    public let hash: String
    /// Transactions holding at least one Transfer log, in `transactionIndex` order.
    public let transactions: [SimulatedTransaction]
    /// Every Transfer log (ERC-20 and ERC-721), in `logIndex` order.
    public let logs: [SimulatedLog]

    /// The transaction that emitted `log`.
    public func transaction(of log: SimulatedLog) -> SimulatedTransaction {
        transactions[log.transactionOrdinal]
    }
}

/// A transaction that emitted Transfer logs.
public struct SimulatedTransaction: Sendable {
    public let transactionIndex: Int
    /// Lowercase `0x` + 64 hex.
    public let hash: String
    public let nonce: Int
    public let gas: Int
    public let gasPrice: UInt64
    public let gasUsed: Int
    public let cumulativeGasUsed: Int
    let methodOrdinal: Int

    /// The 4-byte selector, `0x`-prefixed (Etherscan style).
    public var methodID: String { Self.methods[methodOrdinal].selector }
    /// The decoded signature, or `""` when the explorer does not know it.
    public var functionName: String { Self.methods[methodOrdinal].signature }
    /// Full calldata, as Blockscout's `input` (Etherscan sends `"deprecated"`).
    public var input: String { methodID + hash.dropFirst(2) + hash.dropFirst(2) }

    static let methods: [(selector: String, signature: String)] = [
        ("0xa9059cbb", "transfer(address _to, uint256 _value)"),
        ("0x23b872dd", "transferFrom(address _from, address _to, uint256 _value)"),
        ("0x5f575529", "swap(string aggregatorId, address tokenFrom, uint256 amount, bytes data)"),
        ("0xac9650d8", "multicall(bytes[] data)"),
        ("0x3593564c", ""),
        ("0x40c10f19", "mint(address to, uint256 amount)"),
        ("0x42966c68", "burn(uint256 amount)"),
        ("0xe6930a22", "disperseToken(address token, address[] recipients, uint256[] values)"),
    ]
}

/// One `Transfer(address,address,uint256)` log.
public struct SimulatedLog: Sendable {
    public let logIndex: Int
    /// Position of the emitting transaction in `SimulatedBlock.transactions`.
    public let transactionOrdinal: Int
    /// Index into `SimulatedChain.tokens(chainID:)`.
    public let tokenIndex: Int
    public let tokenAddress: String
    public let fromAddress: String
    public let toAddress: String
    /// The amount (ERC-20) or the token id (ERC-721).
    public let value: UInt256
    public let isERC721: Bool
    /// Population indices (0 = zero address), for fast aggregation and filtering.
    let fromAccount: Int
    let toAccount: Int
}

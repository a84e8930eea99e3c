/// One result row exactly as the explorer sent it, with the fields the walker needs decoded.
public struct ExplorerRow: Equatable, Sendable {
    /// The row's JSON object, byte for byte as received.
    public var bytes: [UInt8]
    /// `blockNumber` (decimal or 0x-hex string) or Blockscout v2 `block_number`.
    public var blockNumber: Int
    /// `logIndex` / `log_index` when the source has it (`"0x"` reads as 0).
    public var logIndex: Int?

    public init(bytes: [UInt8], blockNumber: Int, logIndex: Int?) {
        self.bytes = bytes
        self.blockNumber = blockNumber
        self.logIndex = logIndex
    }
}

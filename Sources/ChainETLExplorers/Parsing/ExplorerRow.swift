/// One result row exactly as the explorer sent it, with the fields the walker needs decoded.
public struct ExplorerRow: Equatable, Sendable {
    /// The row's JSON object, byte for byte as received.
    public var bytes: [UInt8]
    /// `blockNumber` (decimal or 0x-hex string) or Blockscout v2 `block_number`; -1 when the row
    /// has none that can be read (see `hasReadableBlockNumber`).
    public var blockNumber: Int
    /// `logIndex` / `log_index` when the source has it (`"0x"` reads as 0).
    public var logIndex: Int?
    /// False when `blockNumber` is missing or unreadable. Such a row is still written to the raw
    /// checkpoint verbatim (normalize quarantines it), but it takes no part in window logic: the
    /// walk places it at the block of the row before it.
    public var hasReadableBlockNumber: Bool

    public init(bytes: [UInt8], blockNumber: Int, logIndex: Int?, hasReadableBlockNumber: Bool = true) {
        self.bytes = bytes
        self.blockNumber = blockNumber
        self.logIndex = logIndex
        self.hasReadableBlockNumber = hasReadableBlockNumber
    }

    /// The block each row stands for in a block window `[fromBlock, …]`: its own, or for a row
    /// without a readable block number the block of the row before it (`fromBlock` for the first),
    /// so the row is emitted or dropped together with its neighbour and never reorders a page.
    public static func windowBlocks(of rows: [ExplorerRow], fromBlock: Int) -> [Int] {
        var previous = fromBlock
        return rows.map { row in
            if row.hasReadableBlockNumber { previous = row.blockNumber }
            return previous
        }
    }
}

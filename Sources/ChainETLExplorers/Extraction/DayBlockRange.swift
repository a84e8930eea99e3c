import ChainETLCore

/// The blocks of one UTC day on one chain: [first block at or after 00:00:00, last block before
/// 24:00:00], found with `getblocknobytime`.
public struct DayBlockRange: Equatable, Sendable, CustomStringConvertible {
    public let day: PartitionDay
    public let firstBlock: Int
    public let lastBlock: Int

    public init(day: PartitionDay, firstBlock: Int, lastBlock: Int) {
        self.day = day
        self.firstBlock = firstBlock
        self.lastBlock = lastBlock
    }

    /// True when no block was produced during the day.
    public var isEmpty: Bool { firstBlock > lastBlock }
    public var blockCount: Int { max(0, lastBlock - firstBlock + 1) }

    /// Whether the day is final: a later block exists (so the day is over) and the head is at least
    /// `confirmations` blocks past the day's last block.
    public func isClosed(head: Int, confirmations: Int) -> Bool {
        lastBlock < head && lastBlock <= head - max(0, confirmations)
    }

    /// Asks the explorer for the day's first and last blocks (two calls).
    public static func resolve(day: PartitionDay, client: any ExplorerClient, executor: ExplorerRequestExecutor)
        throws -> DayBlockRange
    {
        let first = try client.blockNumber(atTimestamp: day.startUnixSeconds, closest: .after, using: executor)
        let last = try client.blockNumber(atTimestamp: day.endUnixSeconds - 1, closest: .before, using: executor)
        return DayBlockRange(day: day, firstBlock: first, lastBlock: last)
    }

    public var description: String { "\(day) = blocks \(firstBlock)...\(lastBlock)" }
}

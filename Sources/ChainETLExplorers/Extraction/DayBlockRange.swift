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

    /// One end of a day's block range.
    public enum Boundary: Sendable {
        /// The first block at or after 00:00:00.
        case first
        /// The last block before 24:00:00.
        case last
    }

    /// Asks the explorer for the day's first and last blocks (two calls, one after the other).
    public static func resolve(day: PartitionDay, client: any ExplorerClient, executor: ExplorerRequestExecutor)
        throws -> DayBlockRange
    {
        let first = try boundary(.first, of: day, client: client, executor: executor)
        let last = try boundary(.last, of: day, client: client, executor: executor)
        return DayBlockRange(day: day, firstBlock: first, lastBlock: last)
    }

    /// Asks the explorer for one end of the day's range (one `getblocknobytime` call); the two ends
    /// are independent, so a caller may ask for both at once.
    public static func boundary(
        _ boundary: Boundary, of day: PartitionDay, client: any ExplorerClient, executor: ExplorerRequestExecutor
    ) throws -> Int {
        switch boundary {
        case .first:
            return try client.blockNumber(atTimestamp: day.startUnixSeconds, closest: .after, using: executor)
        case .last:
            return try client.blockNumber(atTimestamp: day.endUnixSeconds - 1, closest: .before, using: executor)
        }
    }

    public var description: String { "\(day) = blocks \(firstBlock)...\(lastBlock)" }
}

import ChainETLCore
import Foundation

/// The block ranges of finished days, resolved once per process and reused by every stage.
///
/// A day's range costs two `getblocknobytime` calls and never changes once the day is over, so
/// the second extract stage of a pipeline (or the next unit of a backfill that needs the same
/// day) reads it from here. Keyed by the explorer's base URL, chain id and day: two explorers of
/// one chain may disagree on a block's time, never one explorer with itself. Only ranges of days
/// whose last block is below the head are kept (an open day's last block still moves).
public final class DayBlockRangeCache: @unchecked Sendable {
    // `@unchecked`: `ranges` is guarded by `lock`.
    /// The cache shared by everything in this process.
    public static let shared = DayBlockRangeCache()

    private struct Key: Hashable {
        var baseURL: String
        var chainID: Int
        var day: PartitionDay
    }

    private let lock = NSLock()
    private var ranges: [Key: DayBlockRange] = [:]

    public init() {}

    /// The cached range, if any.
    public func range(baseURL: String, chainID: Int, day: PartitionDay) -> DayBlockRange? {
        lock.withLock { ranges[Key(baseURL: baseURL, chainID: chainID, day: day)] }
    }

    /// Keeps `range` when the day is over at `head` (a later block exists).
    public func store(_ range: DayBlockRange, baseURL: String, chainID: Int, head: Int) {
        guard range.lastBlock < head, !range.isEmpty else { return }
        lock.withLock { ranges[Key(baseURL: baseURL, chainID: chainID, day: range.day)] = range }
    }
}

import ChainETLCore
import ChainETLExplorers
import Foundation

/// Passes calls through to a `QuotaStore` and remembers the latest total it returned per key,
/// so progress can show the quota left without another query.
final class QuotaUsageRecorder: QuotaStore, @unchecked Sendable {
    // `@unchecked`: `latest` is guarded by `lock`; the wrapped store is Sendable.
    private let lock = NSLock()
    private let store: any QuotaStore
    private var latest: [String: (day: PartitionDay, used: Int)] = [:]

    init(_ store: any QuotaStore) {
        self.store = store
    }

    func consume(fingerprint: String, day: PartitionDay, calls: Int) throws -> (used: Int, limit: Int?) {
        let result = try store.consume(fingerprint: fingerprint, day: day, calls: calls)
        lock.withLock { latest[fingerprint] = (day, result.used) }
        return result
    }

    /// The key's total for `day` as last seen, or nil when no call was counted through this recorder.
    func used(fingerprint: String, day: PartitionDay) -> Int? {
        lock.withLock {
            guard let entry = latest[fingerprint], entry.day == day else { return nil }
            return entry.used
        }
    }
}

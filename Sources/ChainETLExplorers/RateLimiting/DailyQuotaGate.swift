import ChainETLCore
import Foundation

/// Counts every call against the key's daily quota and refuses once the quota is used up.
///
/// The counter lives in a `QuotaStore` so that separate runs share it. The day is the UTC day of
/// the call, which is when explorers reset their daily counters.
public final class DailyQuotaGate: @unchecked Sendable {
    // `@unchecked`: `exhausted` is guarded by `lock`; the store is Sendable.
    private let lock = NSLock()
    private let store: any QuotaStore
    private let dailyLimit: Int?
    private let currentDate: @Sendable () -> Date
    private var exhausted: (day: PartitionDay, limit: Int)?
    /// The key this gate counts for.
    public let fingerprint: APIKeyFingerprint

    /// - Parameter dailyLimit: the configured `per_day`; when nil the store's limit applies.
    public init(
        store: any QuotaStore, fingerprint: APIKeyFingerprint, dailyLimit: Int?,
        currentDate: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.fingerprint = fingerprint
        self.dailyLimit = dailyLimit
        self.currentDate = currentDate
    }

    /// Records one call; throws `dailyQuotaExhausted` instead when the quota is used up.
    public func consumeOne() throws {
        let day = PartitionDay(containing: currentDate())
        lock.lock()
        let known = exhausted
        lock.unlock()
        if let known, known.day == day {
            // Refuse without counting: the store already shows the quota as spent.
            throw ExplorerError.dailyQuotaExhausted(
                fingerprint: fingerprint.value, day: day, used: known.limit, limit: known.limit)
        }
        let (used, storedLimit) = try store.consume(fingerprint: fingerprint.value, day: day, calls: 1)
        guard let limit = dailyLimit ?? storedLimit else { return }
        if used > limit {
            lock.lock()
            exhausted = (day, limit)
            lock.unlock()
            throw ExplorerError.dailyQuotaExhausted(fingerprint: fingerprint.value, day: day, used: used - 1, limit: limit)
        }
    }
}

import Foundation

/// The process-wide set of token buckets: exactly one per API key, whatever chain uses it.
///
/// Etherscan's limit is per key (and cumulative across chains), so every extractor that uses the
/// same key must draw from the same bucket. When two configurations give different rates for one
/// key, the lower rate wins.
public final class RateLimiterRegistry: @unchecked Sendable {
    // `@unchecked`: `buckets` is guarded by `lock`; buckets are themselves thread-safe.
    /// The registry shared by everything in this process.
    public static let shared = RateLimiterRegistry()

    private let lock = NSLock()
    private let clock: any MonotonicClock
    private let utilization: Double
    private var buckets: [APIKeyFingerprint: TokenBucket] = [:]
    private var inFlightLimits: [APIKeyFingerprint: InFlightLimit] = [:]
    private var sharedBudget: (any SharedRateBudget)?

    public init(clock: any MonotonicClock = SystemMonotonicClock(), utilization: Double = 0.95) {
        self.clock = clock
        self.utilization = utilization
    }

    /// The bucket for `apiKey` (created at `ratePerSecond`, or lowered to it if slower).
    public func bucket(apiKey: String?, ratePerSecond: Double) -> TokenBucket {
        bucket(for: APIKeyFingerprint(apiKey: apiKey), ratePerSecond: ratePerSecond)
    }

    /// The bucket for a fingerprint (created at `ratePerSecond`, or lowered to it if slower).
    public func bucket(for fingerprint: APIKeyFingerprint, ratePerSecond: Double) -> TokenBucket {
        lock.lock()
        defer { lock.unlock() }
        if let existing = buckets[fingerprint] {
            existing.limitRate(to: ratePerSecond)
            return existing
        }
        let created = TokenBucket(ratePerSecond: ratePerSecond, utilization: utilization, clock: clock)
        if let sharedBudget { created.share(sharedBudget, fingerprint: fingerprint) }
        buckets[fingerprint] = created
        return created
    }

    /// From now on every key paces from `budget`, shared with the other processes on it (the
    /// first budget given stays; docs/scaling.md "One rate budget per key").
    public func shareBudget(_ budget: @autoclosure () -> any SharedRateBudget) {
        lock.lock()
        defer { lock.unlock() }
        guard sharedBudget == nil else { return }
        let shared = budget()
        sharedBudget = shared
        for (fingerprint, bucket) in buckets { bucket.share(shared, fingerprint: fingerprint) }
    }

    /// Whether the keys pace from a shared budget.
    public var sharesBudget: Bool {
        lock.withLock { sharedBudget != nil }
    }

    /// The shared budget's cost and losses per key (empty when pacing alone).
    public func sharedBudgetUsage() -> [APIKeyFingerprint: SharedBudgetUsage] {
        let current = lock.withLock { buckets }
        return current.compactMapValues(\.sharedBudgetUsage)
    }

    /// Gives every key's leased slots that no caller waits for back to the shared budget.
    public func releaseUnusedSlots() {
        let current = lock.withLock { buckets }
        for bucket in current.values { bucket.releaseUnusedSlots() }
    }

    /// Every key's bucket usage now (see `usage(since:)`).
    public func snapshot() -> UsageSnapshot {
        lock.lock()
        let current = buckets
        lock.unlock()
        return UsageSnapshot(
            keys: current.mapValues(\.usage), utilization: utilization, takenAt: clock.now())
    }

    /// How many distinct keys have a bucket.
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return buckets.count
    }

    /// The in-flight gate of a key (created with `cap`, or lowered to it if smaller), pacing its
    /// concurrency from the key's bucket rate (`bucket(for:ratePerSecond:)` first).
    public func inFlightLimit(for fingerprint: APIKeyFingerprint, ratePerSecond: Double, cap: Int) -> InFlightLimit {
        let bucket = bucket(for: fingerprint, ratePerSecond: ratePerSecond)
        lock.lock()
        defer { lock.unlock() }
        if let existing = inFlightLimits[fingerprint] {
            existing.limitCap(to: cap)
            return existing
        }
        let created = InFlightLimit(cap: cap) { bucket.effectiveRatePerSecond }
        inFlightLimits[fingerprint] = created
        return created
    }
}

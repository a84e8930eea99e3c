import Foundation

/// A token bucket with a burst of one: calls are spaced evenly at the configured rate.
///
/// Each `acquire()` reserves the next free slot under a lock, then sleeps outside the lock until
/// that slot, so concurrent callers are served in order and the bucket never lets two calls out
/// together after an idle period (no self-inflicted bursts). `utilization` keeps a small margin
/// below the server's limit: send-time jitter would otherwise put `rate + 1` calls into one of the
/// server's sliding one-second windows now and then.
public final class TokenBucket: @unchecked Sendable {
    // `@unchecked`: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private let clock: any MonotonicClock
    private let utilization: Double
    private var interval: TimeInterval
    private var nextSlot: TimeInterval
    private var granted = 0
    /// Slot times of the first and the last grant, and the server's throttles (see `TokenBucketUsage`).
    private var usageRecord = TokenBucketUsage()
    /// Slots leased from the key's budget shared with other processes; nil paces this process alone.
    private var sharedSlots: LeasedSlotPool?

    /// - Parameters:
    ///   - ratePerSecond: the server's allowed calls per second for this key.
    ///   - utilization: the share of that rate actually used (default 0.95, within (0, 1]).
    public init(ratePerSecond: Double, utilization: Double = 0.95, clock: any MonotonicClock) {
        precondition(ratePerSecond > 0 && ratePerSecond.isFinite, "rate must be positive")
        precondition(utilization > 0 && utilization <= 1, "utilization must be in (0, 1]")
        self.clock = clock
        self.utilization = utilization
        self.interval = 1 / (ratePerSecond * utilization)
        self.nextSlot = -TimeInterval.infinity
    }

    /// The calls per second the bucket lets through (after `utilization`).
    public var effectiveRatePerSecond: Double {
        lock.lock()
        defer { lock.unlock() }
        return 1 / interval
    }

    /// How many calls were let through so far.
    public var grantedCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return granted
    }

    /// What the bucket let through so far: calls, first and last grant, throttles.
    public var usage: TokenBucketUsage {
        lock.lock()
        defer { lock.unlock() }
        var usage = usageRecord
        usage.calls = granted
        usage.effectiveRatePerSecond = 1 / interval
        return usage
    }

    /// Blocks until the caller may send one request.
    ///
    /// With a shared budget (`share(_:fingerprint:)`) the slot comes from the budget; when the
    /// budget cannot be reached the call is paced by this bucket alone.
    public func acquire() {
        if let pool = lock.withLock({ sharedSlots }), pool.acquire() {
            lock.withLock {
                granted += 1
                usageRecord.recordGrant(at: clock.now())
            }
            return
        }
        let slot = reserve()
        if slot > clock.now() { clock.sleep(until: slot) }
    }

    /// Takes this key's slots from `budget`, shared with every process that uses the key, from now on.
    public func share(_ budget: any SharedRateBudget, fingerprint: APIKeyFingerprint) {
        lock.withLock {
            guard sharedSlots == nil else { return }
            sharedSlots = LeasedSlotPool(
                budget: budget, fingerprint: fingerprint.value, clock: clock, utilization: utilization,
                interval: { [unowned self] in self.lock.withLock { self.interval } })
        }
    }

    /// Whether the slots come from a budget shared with other processes.
    public var sharesBudget: Bool {
        lock.withLock { sharedSlots != nil }
    }

    /// What the shared budget cost and lost so far; nil when the bucket paces alone.
    public var sharedBudgetUsage: SharedBudgetUsage? {
        lock.withLock { sharedSlots }?.usage
    }

    /// Gives leased slots no caller waits for back to the shared budget (see `LeasedSlotPool`).
    @discardableResult
    public func releaseUnusedSlots() -> Int {
        lock.withLock { sharedSlots }?.releaseUnused() ?? 0
    }

    /// Reserves the next slot and returns its time without sleeping.
    public func reserve() -> TimeInterval {
        lock.lock()
        defer { lock.unlock() }
        let slot = max(clock.now(), nextSlot)
        nextSlot = slot + interval
        granted += 1
        usageRecord.recordGrant(at: slot)
        return slot
    }

    /// Lowers the rate when a second configuration shares the key with a smaller limit.
    public func limitRate(to ratePerSecond: Double) {
        guard ratePerSecond > 0, ratePerSecond.isFinite else { return }
        lock.lock()
        defer { lock.unlock() }
        interval = max(interval, 1 / (ratePerSecond * utilization))
    }

    /// Holds every caller of this key back for `seconds` after the server throttled one of them.
    public func pause(for seconds: TimeInterval) {
        let pool: LeasedSlotPool? = lock.withLock {
            usageRecord.throttles += 1
            nextSlot = max(nextSlot, clock.now() + seconds)
            return sharedSlots
        }
        pool?.pause(for: seconds)
    }
}

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
    public func acquire() {
        let slot = reserve()
        if slot > clock.now() { clock.sleep(until: slot) }
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
        lock.lock()
        defer { lock.unlock() }
        usageRecord.throttles += 1
        nextSlot = max(nextSlot, clock.now() + seconds)
    }
}

import ChainETLCore
import Foundation

/// One key's send slots leased from a `SharedRateBudget`, handed to this process's callers in
/// order (docs/scaling.md "One rate budget per key").
///
/// Why slots are instants and not counts per second: explorers (and the simulator) count a key's
/// calls in a *sliding* one-second window at arrival, so two processes that each stay within
/// their share of an aligned second can still put up to twice the limit into the second that
/// straddles the boundary. The budget therefore hands out instants `interval = 1 / (limit ×
/// utilization)` apart, each to one process, and a call goes out no earlier than its slot and at
/// most `margin` after it; a slot that cannot be used by then is dropped. `limit + 1` consecutive
/// slots span `1 / utilization` seconds, so every sliding second holds at most `limit` calls as
/// long as `margin` plus the send-to-arrival jitter stays below `1 / utilization − 1` (75 ms at
/// the pool's 0.93); `margin` takes a quarter of that.
///
/// Leases are sized by demand: when a caller finds no slot, one lease (at most one at a time per
/// process) takes a slot for every caller then waiting, at most half a second of the key. A caller
/// that arrives while slots are in hand takes the next without a round trip. The budget's clock is
/// placed on the local monotonic clock from the lease's own round trip (the sample with the
/// shortest round trip wins, so the error stays below half of it; two clock readings before the
/// first lease).
final class LeasedSlotPool: @unchecked Sendable {
    // `@unchecked`: all mutable state is guarded by `condition`.
    private let condition = NSCondition()
    private let budget: any SharedRateBudget
    private let fingerprint: String
    private let clock: any MonotonicClock
    private let interval: @Sendable () -> TimeInterval
    /// How late after its slot a call may still go out.
    let margin: TimeInterval

    /// Leased slots not yet taken, ascending, on the local monotonic clock.
    private var slots: [TimeInterval] = []
    private var waiting = 0
    private var leasing = false
    /// No slot before this (a throttled answer paused the key).
    private var pausedUntil = -TimeInterval.infinity
    /// The latest lease and how many of its slots were taken or dropped (to give its tail back).
    private var lastLease: RateBudgetLease?
    private var lastLeaseConsumed = 0
    /// Budget clock minus local monotonic clock, from the sample with the shortest round trip.
    private var offset: (value: TimeInterval, roundTrip: TimeInterval, at: TimeInterval)?
    private var averageRoundTrip: TimeInterval = 0.005
    private var record = SharedBudgetUsage()

    /// The share of the key's limit the shared slots use, at most: a little below a lone bucket's
    /// 0.95, because the slack `1 / utilization − 1` must absorb the send-to-arrival jitter of
    /// several processes (0.93: 75 ms).
    static let sharedUtilization = 0.93

    /// - Parameters:
    ///   - interval: the key's current slot spacing of the bucket, at `utilization`.
    ///   - utilization: the bucket's share of the limit; the pool uses at most `sharedUtilization`.
    init(
        budget: any SharedRateBudget, fingerprint: String, clock: any MonotonicClock, utilization: Double,
        interval: @escaping @Sendable () -> TimeInterval
    ) {
        self.budget = budget
        self.fingerprint = fingerprint
        self.clock = clock
        let shared = min(utilization, Self.sharedUtilization)
        self.interval = { interval() * utilization / shared }
        self.margin = Self.margin(utilization: shared)
    }

    /// A quarter of the slack `1 / utilization − 1` (19 ms at 0.93), at least 5 ms: the rest is
    /// for the clock estimate and the way from the check to the explorer.
    static func margin(utilization: Double) -> TimeInterval {
        max(0.005, 0.25 * (1 / utilization - 1))
    }

    var usage: SharedBudgetUsage {
        condition.lock()
        defer { condition.unlock() }
        return record
    }

    /// Blocks until the caller holds a slot whose instant has come (and not passed by more than
    /// `margin`); returns false at once when the budget cannot be reached (the caller then paces
    /// alone). Returns early, true, when a stop signal arrives: the caller checks the flag.
    func acquire() -> Bool {
        condition.lock()
        waiting += 1
        defer {
            waiting -= 1
            condition.unlock()
        }
        while true {
            if CancellationFlag.process.isCancelled { return true }
            let now = clock.now()
            dropUnusable(now: now)
            if !slots.isEmpty {
                let slot = slots.removeFirst()
                lastLeaseConsumed += 1
                if slot > now {
                    condition.unlock()
                    clock.sleep(until: slot)
                    condition.lock()
                }
                if CancellationFlag.process.isCancelled { return true }
                if clock.now() <= slot + margin {
                    record.slotsUsed += 1
                    return true
                }
                // Woken too late: sending now could crowd a sliding second.
                record.slotsExpired += 1
                continue
            }
            if leasing {
                condition.wait()
                continue
            }
            if !lease(now: now) {
                record.unsharedCalls += 1
                return false
            }
        }
    }

    /// Holds every caller back for `seconds` after a throttled answer: slots before then are dropped.
    func pause(for seconds: TimeInterval) {
        condition.lock()
        pausedUntil = max(pausedUntil, clock.now() + seconds)
        dropUnusable(now: clock.now())
        condition.unlock()
    }

    /// Gives slots in hand back to the budget when no caller waits for them and no one leased
    /// after them (else they expire by themselves). Returns how many went back.
    @discardableResult
    func releaseUnused() -> Int {
        condition.lock()
        defer { condition.unlock() }
        guard waiting == 0, !leasing, let lease = lastLease, !slots.isEmpty,
            lastLeaseConsumed < lease.count, slots.count == lease.count - lastLeaseConsumed
        else { return 0 }
        let firstUnused = lastLeaseConsumed
        // Under the lock: no caller of this key can take a slot meanwhile, and releases are rare.
        record.releases += 1
        guard (try? budget.release(fingerprint: fingerprint, lease: lease, firstUnused: firstUnused)) == true
        else { return 0 }
        let returned = slots.count
        record.slotsReturned += returned
        slots.removeAll()
        lastLease = nil
        return returned
    }

    /// Drops slots that can no longer be sent in time, or fall inside a pause.
    private func dropUnusable(now: TimeInterval) {
        var dropped = 0
        while let first = slots.first, first + margin < now || first < pausedUntil {
            slots.removeFirst()
            dropped += 1
        }
        if dropped > 0 {
            record.slotsExpired += dropped
            lastLeaseConsumed += dropped
        }
    }

    /// Places the budget's clock before the first lease: two readings (the first also opens the
    /// connection), the one with the shorter round trip kept. Lock held on entry and return.
    private func synchronizeClock() {
        condition.unlock()
        var best: (value: TimeInterval, roundTrip: TimeInterval, at: TimeInterval)?
        for _ in 0..<2 {
            let sent = clock.now()
            guard let reading = try? budget.now() else { break }
            let received = clock.now()
            if best == nil || received - sent < best!.roundTrip {
                best = (reading - (sent + received) / 2, received - sent, received)
            }
        }
        condition.lock()
        record.clockReadings += 2
        if let best { offset = best }
    }

    /// Leases one slot for each waiting caller (the lock is held on entry and on return, released
    /// during the round trip). Returns false when the budget failed.
    private func lease(now: TimeInterval) -> Bool {
        leasing = true
        if offset == nil { synchronizeClock() }
        let spacing = interval()
        let count = max(1, min(waiting, Int((0.5 / spacing).rounded(.down))))
        // The first slot must still be ahead when the answer is back, and after any pause.
        let lead = max(min(0.25, 2 * averageRoundTrip + 0.005), pausedUntil - now)
        condition.unlock()
        let sent = clock.now()
        let result = Result { try budget.lease(fingerprint: fingerprint, count: count, interval: spacing, lead: lead) }
        let received = clock.now()
        condition.lock()
        leasing = false
        condition.broadcast()
        record.leases += 1
        guard case .success(let lease) = result else { return false }
        let roundTrip = max(0, received - sent)
        averageRoundTrip += 0.2 * (roundTrip - averageRoundTrip)
        let sample = (value: lease.budgetNow - (sent + received) / 2, roundTrip: roundTrip, at: received)
        // A shorter round trip gives a better sample; an old one is replaced anyway (clocks drift).
        if let current = offset, current.roundTrip < roundTrip, received - current.at < 60 {
            // keep the better sample
        } else {
            offset = sample
        }
        let shift = offset?.value ?? sample.value
        slots.append(contentsOf: (0..<lease.count).map { lease.slot($0) - shift })
        slots.sort()
        lastLease = lease
        lastLeaseConsumed = 0
        record.slotsLeased += lease.count
        return true
    }
}

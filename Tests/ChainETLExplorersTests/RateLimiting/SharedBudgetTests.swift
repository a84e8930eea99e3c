import ChainETLCore
import Foundation
import Testing

@testable import ChainETLExplorers

/// The in-process side of the shared per-key budget (`LeasedSlotPool` behind `TokenBucket`), on a
/// manual clock and a budget held in memory with the same rule as `etl_rate_budget` (the
/// Postgres side is tested in ChainETLStagesTests with a real database).
@Suite("Shared rate budget: leased slots paced by each process's bucket")
struct SharedBudgetTests {
    /// `next = max(next, now + lead) + count × interval`, on `clock` (so budget time = local time).
    final class MemoryBudget: SharedRateBudget, @unchecked Sendable {
        private let lock = NSLock()
        let clock: ManualClock
        private var next: [String: TimeInterval] = [:]
        private(set) var leases: [RateBudgetLease] = []
        var failing = false

        init(clock: ManualClock) { self.clock = clock }

        func lease(fingerprint: String, count: Int, interval: TimeInterval, lead: TimeInterval) throws
            -> RateBudgetLease
        {
            try lock.withLock {
                if failing { throw CocoaError(.fileReadUnknown) }
                let first = max(next[fingerprint] ?? -.infinity, clock.now() + lead)
                let lease = RateBudgetLease(firstSlot: first, interval: interval, count: count, budgetNow: clock.now())
                next[fingerprint] = lease.end
                leases.append(lease)
                return lease
            }
        }

        func now() throws -> TimeInterval {
            try lock.withLock {
                if failing { throw CocoaError(.fileReadUnknown) }
                return clock.now()
            }
        }

        func release(fingerprint: String, lease: RateBudgetLease, firstUnused: Int) throws -> Bool {
            lock.withLock {
                guard next[fingerprint] == lease.end else { return false }
                next[fingerprint] = lease.slot(firstUnused)
                return true
            }
        }
    }

    @Test func twoProcessesOnOneKeyNeverShareASlotNorCrowdASlidingSecond() throws {
        let clock = ManualClock()
        let budget = MemoryBudget(clock: clock)
        let fingerprint = APIKeyFingerprint(apiKey: "k")
        // Two processes: each its own registry and bucket, one budget between them.
        let registries = [RateLimiterRegistry(clock: clock), RateLimiterRegistry(clock: clock)]
        for registry in registries { registry.shareBudget(budget) }
        let buckets = registries.map { $0.bucket(for: fingerprint, ratePerSecond: 3) }
        var sent: [TimeInterval] = []
        for index in 0..<60 {
            buckets[index % 3 == 0 ? 0 : 1].acquire()
            sent.append(clock.now())
        }
        // Each call had its own slot, in order, at least one interval (1 / (3 × 0.93)) apart.
        let interval = 1 / (3 * LeasedSlotPool.sharedUtilization)
        for (earlier, later) in zip(sent, sent.dropFirst()) {
            #expect(later - earlier >= interval - 1e-9)
        }
        for (index, time) in sent.enumerated() {
            #expect(sent[index...].prefix { $0 < time + 1 }.count <= 3)
        }
        let rate = Double(sent.count - 1) / (sent.last! - sent.first!)
        #expect(rate >= 0.9 * 3)
        let usage = registries.compactMap { $0.sharedBudgetUsage()[fingerprint] }
        #expect(usage.map(\.slotsUsed).reduce(0, +) == 60)
        #expect(usage.map(\.slotsExpired).reduce(0, +) == 0)
        #expect(budget.leases.count == usage.map(\.leases).reduce(0, +))
        #expect(buckets.map(\.grantedCount).reduce(0, +) == 60)
    }

    /// A clock whose first sleep wakes `overshoot` late (a loaded machine), later sleeps on time.
    final class OvershootClock: MonotonicClock, @unchecked Sendable {
        let base = ManualClock()
        private let lock = NSLock()
        private var overshoot: TimeInterval

        init(overshoot: TimeInterval) { self.overshoot = overshoot }

        func now() -> TimeInterval { base.now() }

        func sleep(until deadline: TimeInterval) {
            let late = lock.withLock {
                defer { overshoot = 0 }
                return overshoot
            }
            base.sleep(until: deadline + late)
        }
    }

    @Test func aSlotWokenTooLateIsDroppedAndTheCallTakesANewOne() throws {
        let clock = OvershootClock(overshoot: 0.1)
        let budget = MemoryBudget(clock: clock.base)
        let pool = LeasedSlotPool(
            budget: budget, fingerprint: "key-x", clock: clock, utilization: 0.95, interval: { 0.2 })
        // 0.1 s late is past the margin (a quarter of 1 / 0.93 − 1, 19 ms): the slot is dropped.
        #expect(pool.margin < 0.1 && pool.margin < 1 / LeasedSlotPool.sharedUtilization - 1)
        #expect(pool.acquire())
        let usage = pool.usage
        #expect(usage.slotsExpired == 1 && usage.slotsUsed == 1 && usage.leases == 2)
        #expect(budget.leases.count == 2)
        // The call went out on its second slot, on time.
        #expect(clock.now() <= budget.leases[1].slot(0) + pool.margin)
    }

    @Test func anUnreachableBudgetFallsBackToPacingAlone() {
        let clock = ManualClock()
        let budget = MemoryBudget(clock: clock)
        budget.failing = true
        let registry = RateLimiterRegistry(clock: clock)
        registry.shareBudget(budget)
        let fingerprint = APIKeyFingerprint(apiKey: "k")
        let bucket = registry.bucket(for: fingerprint, ratePerSecond: 4)
        let start = clock.now()
        for _ in 0..<5 { bucket.acquire() }
        #expect(clock.now() - start >= 4 / (4 * 0.95) - 1e-9)
        #expect(registry.sharedBudgetUsage()[fingerprint]?.unsharedCalls == 5)
    }

    @Test func aThrottlePausesTheSharedSlotsToo() {
        let clock = ManualClock()
        let budget = MemoryBudget(clock: clock)
        let registry = RateLimiterRegistry(clock: clock)
        registry.shareBudget(budget)
        let bucket = registry.bucket(for: APIKeyFingerprint(apiKey: "k"), ratePerSecond: 5)
        bucket.acquire()
        let before = clock.now()
        bucket.pause(for: 2)
        bucket.acquire()
        #expect(clock.now() >= before + 2)
    }
}

import ChainETLCore
import ChainETLTestSupport
import Foundation
import Testing

@testable import ChainETLExplorers

@Suite("Token bucket, registry and daily quota")
struct TokenBucketTests {
    @Test func callsAreSpacedEvenlyWithoutBurstAfterIdle() {
        let clock = ManualClock()
        let bucket = TokenBucket(ratePerSecond: 4, utilization: 1, clock: clock)
        var sent: [TimeInterval] = []
        for _ in 0..<5 {
            bucket.acquire()
            sent.append(clock.now())
        }
        #expect(sent == [1000, 1000.25, 1000.5, 1000.75, 1001])
        clock.advance(by: 30)  // idle: tokens must not pile up
        bucket.acquire()
        let afterIdle = clock.now()
        bucket.acquire()
        #expect(clock.now() - afterIdle == 0.25)
    }

    @Test func sustainedRateMeetsNinetyPercentAndNeverExceedsTheServerWindow() {
        let clock = ManualClock()
        let bucket = TokenBucket(ratePerSecond: 3, clock: clock)  // default utilization 0.95
        var sent: [TimeInterval] = []
        for _ in 0..<300 {
            bucket.acquire()
            sent.append(clock.now())
        }
        let rate = Double(sent.count - 1) / (sent.last! - sent.first!)
        #expect(rate >= 0.9 * 3 && rate <= 3)
        // No sliding one-second window ever holds more than 3 calls.
        for (index, time) in sent.enumerated() {
            #expect(sent[index...].prefix { $0 < time + 1 }.count <= 3)
        }
    }

    @Test func concurrentCallersGetDistinctOrderedSlots() async {
        let clock = ManualClock()
        let bucket = TokenBucket(ratePerSecond: 10, utilization: 1, clock: clock)
        let slots = await withTaskGroup(of: [TimeInterval].self) { group in
            for _ in 0..<4 {
                group.addTask { (0..<25).map { _ in bucket.reserve() } }
            }
            var all: [TimeInterval] = []
            for await part in group { all += part }
            return all.sorted()
        }
        #expect(slots.count == 100)
        for (previous, next) in zip(slots, slots.dropFirst()) {
            #expect(abs((next - previous) - 0.1) < 1e-9)
        }
        #expect(bucket.grantedCount == 100)
    }

    @Test func pauseHoldsEveryCallerBack() {
        let clock = ManualClock()
        let bucket = TokenBucket(ratePerSecond: 5, utilization: 1, clock: clock)
        bucket.acquire()
        bucket.pause(for: 3)
        bucket.acquire()
        #expect(clock.now() == 1003)
    }

    @Test func registryKeepsOneBucketPerKeyAtTheLowestRate() {
        let registry = RateLimiterRegistry(clock: ManualClock(), utilization: 1)
        let ethereum = registry.bucket(apiKey: "KEY-A", ratePerSecond: 5)
        let cronos = registry.bucket(apiKey: "KEY-A", ratePerSecond: 3)
        let other = registry.bucket(apiKey: "KEY-B", ratePerSecond: 5)
        #expect(ethereum === cronos)
        #expect(ethereum !== other)
        #expect(abs(ethereum.effectiveRatePerSecond - 3) < 1e-9)
        #expect(registry.count == 2)
        #expect(registry.bucket(apiKey: nil, ratePerSecond: 5) === registry.bucket(apiKey: "", ratePerSecond: 5))
    }

    @Test func fingerprintIsStableAndDoesNotContainTheKey() {
        let key = "ABCDEF1234567890SECRET"
        let fingerprint = APIKeyFingerprint(apiKey: key)
        #expect(fingerprint == APIKeyFingerprint(apiKey: key))
        #expect(fingerprint != APIKeyFingerprint(apiKey: key + "x"))
        #expect(!fingerprint.value.contains("SECRET"))
        #expect(fingerprint.value.count == 20)
        #expect(APIKeyFingerprint(apiKey: nil).value == "keyless")
    }

    @Test func dailyQuotaRefusesOnceUsedUp() throws {
        let store = InMemoryQuotaStore()
        let fingerprint = APIKeyFingerprint(apiKey: "KEY-Q")
        let now = Date(timeIntervalSince1970: 1_763_700_000)
        let gate = DailyQuotaGate(store: store, fingerprint: fingerprint, dailyLimit: 3, currentDate: { now })
        for _ in 0..<3 { try gate.consumeOne() }
        let day = PartitionDay(containing: now)
        #expect(throws: ExplorerError.dailyQuotaExhausted(fingerprint: fingerprint.value, day: day, used: 3, limit: 3)) {
            try gate.consumeOne()
        }
        // Refused calls after the first are not counted again.
        #expect(throws: ExplorerError.self) { try gate.consumeOne() }
        #expect(store.used(fingerprint: fingerprint.value, day: day) == 4)
        let message = String(describing: ExplorerError.dailyQuotaExhausted(fingerprint: "f", day: day, used: 3, limit: 3))
        #expect(message.contains("resume after 00:00 utc"))
    }

    @Test func quotaLimitCanComeFromTheStore() throws {
        let fingerprint = APIKeyFingerprint(apiKey: "KEY-S")
        let store = InMemoryQuotaStore(limits: [fingerprint.value: 1])
        let gate = DailyQuotaGate(store: store, fingerprint: fingerprint, dailyLimit: nil)
        try gate.consumeOne()
        #expect(throws: ExplorerError.self) { try gate.consumeOne() }
    }
}

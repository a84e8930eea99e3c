import Foundation
import Testing

@testable import ChainETLExplorers

@Suite("Per-key call statistics")
struct KeyUsageTests {
    @Test func theBucketRecordsItsFirstAndLastGrantAndThrottles() {
        let clock = ManualClock()
        let bucket = TokenBucket(ratePerSecond: 4, utilization: 1, clock: clock)
        #expect(bucket.usage.calls == 0)
        #expect(bucket.usage.firstGrant == nil)
        for _ in 0..<5 { bucket.acquire() }
        bucket.pause(for: 1)
        let usage = bucket.usage
        #expect(usage.calls == 5)
        #expect(usage.firstGrant == 1000 && usage.lastGrant == 1001)
        #expect(usage.spanSeconds == 1)
        #expect(usage.throttles == 1)
        #expect(usage.effectiveRatePerSecond == 4)
    }

    @Test func theRegistryReportsEveryKeyByFingerprintWithItsConfiguredRate() throws {
        let clock = ManualClock()
        let registry = RateLimiterRegistry(clock: clock, utilization: 0.5)
        let fast = registry.bucket(apiKey: "secret-one", ratePerSecond: 10)
        let slow = registry.bucket(apiKey: "secret-two", ratePerSecond: 2)
        _ = registry.bucket(apiKey: "unused", ratePerSecond: 2)
        for _ in 0..<11 { fast.acquire() }  // 5/s after utilization: 11 calls over 2 s
        for _ in 0..<3 { slow.acquire() }
        let usage = registry.usage(since: nil)
        #expect(usage.count == 2)
        let first = try #require(usage.first { $0.fingerprint == APIKeyFingerprint(apiKey: "secret-one").value })
        #expect(first.configuredRatePerSecond == 10)
        #expect(first.calls == 11)
        #expect(abs(first.spanSeconds - 2) < 1e-9)
        #expect(abs((first.achievedRatePerSecond ?? 0) - 5.5) < 1e-9)
        #expect(abs((first.rateShare ?? 0) - 0.55) < 1e-9)
        #expect(!usage.map(\.fingerprint).joined().contains("secret"))
    }

    @Test func usageSinceASnapshotCountsOnlyTheLaterCalls() throws {
        let clock = ManualClock()
        let registry = RateLimiterRegistry(clock: clock, utilization: 1)
        let bucket = registry.bucket(apiKey: "k", ratePerSecond: 1)
        for _ in 0..<3 { bucket.acquire() }  // 1000, 1001, 1002
        bucket.pause(for: 1)
        clock.advance(by: 10)
        let before = registry.snapshot()
        #expect(registry.usage(since: before).isEmpty)
        clock.advance(by: 2)
        for _ in 0..<4 { bucket.acquire() }  // 1014, 1015, 1016, 1017
        let usage = try #require(registry.usage(since: before).first)
        #expect(usage.calls == 4)
        #expect(usage.throttles == 0)
        // The span starts when this stretch could first call: the snapshot, not the earlier calls.
        #expect(before.takenAt == 1012)
        #expect(usage.spanSeconds == 5)
    }

    @Test func fewerThanTwoCallsHaveNoRate() {
        let usage = APIKeyUsage(
            fingerprint: "key-1", configuredRatePerSecond: 5, calls: 1, spanSeconds: 0, throttles: 0)
        #expect(usage.achievedRatePerSecond == nil)
        #expect(usage.rateShare == nil)
        #expect(usage.throttledShare == 0)
    }
}

import Foundation

extension RateLimiterRegistry {
    /// Every key's bucket usage so far, by fingerprint.
    public struct UsageSnapshot: Sendable {
        public var keys: [APIKeyFingerprint: TokenBucketUsage]
        /// The registry's utilization margin, to recover each key's configured rate.
        public var utilization: Double
        /// When the snapshot was taken, on the buckets' clock.
        public var takenAt: TimeInterval
    }

    /// The usage of every key since `before` (or since the process started), one entry per key that
    /// made calls in between, sorted by fingerprint.
    ///
    /// Calls and throttles are exact differences. The span starts at the first grant when `before`
    /// saw none for the key; otherwise (an earlier run in this process used the key) at the later
    /// of that run's last grant and the snapshot, which is when this stretch could first call.
    public func usage(since before: UsageSnapshot?) -> [APIKeyUsage] {
        let now = snapshot()
        return now.keys.compactMap { fingerprint, usage -> APIKeyUsage? in
            let earlier = before?.keys[fingerprint]
            let calls = usage.calls - (earlier?.calls ?? 0)
            guard calls > 0, let last = usage.lastGrant else { return nil }
            let start: TimeInterval
            if let earlier, earlier.calls > 0, let earlierLast = earlier.lastGrant {
                start = max(earlierLast, before?.takenAt ?? earlierLast)
            } else {
                start = usage.firstGrant ?? last
            }
            return APIKeyUsage(
                fingerprint: fingerprint.value, configuredRatePerSecond: usage.effectiveRatePerSecond / now.utilization,
                calls: calls, spanSeconds: max(0, last - start), throttles: usage.throttles - (earlier?.throttles ?? 0))
        }.sorted { $0.fingerprint < $1.fingerprint }
    }
}

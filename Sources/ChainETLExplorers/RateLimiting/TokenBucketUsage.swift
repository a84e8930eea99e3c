import Foundation

/// What one key's token bucket let through: how many calls, over what span, how many throttles.
///
/// Times are slots on the bucket's monotonic clock (the moment each call was allowed out), so the
/// span is the pacing the bucket achieved, whatever the server's latency.
public struct TokenBucketUsage: Sendable, Equatable {
    /// Calls granted (each request attempt, retries included).
    public var calls = 0
    /// Slot times of the first and the last grant; nil before the first.
    public var firstGrant: TimeInterval?
    public var lastGrant: TimeInterval?
    /// Times the server throttled a caller of this key (each one paused the bucket).
    public var throttles = 0
    /// The calls per second the bucket lets through (after its utilization margin).
    public var effectiveRatePerSecond: Double = 0

    public init() {}

    /// Seconds from the first grant to the last (0 before the second).
    public var spanSeconds: TimeInterval {
        guard let firstGrant, let lastGrant else { return 0 }
        return max(0, lastGrant - firstGrant)
    }

    mutating func recordGrant(at slot: TimeInterval) {
        if firstGrant == nil { firstGrant = slot }
        lastGrant = max(lastGrant ?? slot, slot)
    }
}

import Foundation

/// How many requests of one API key may be in flight at once.
///
/// Little's law: to keep a key busy at `r` calls/s when an answer takes `w` seconds, `r × w`
/// requests must be outstanding. The gate follows the key's bucket rate and an exponentially
/// weighted average of the answer times it observes, adds a margin (× 1.25, + 1) for jitter, and
/// never exceeds `cap` (the chain's `max_in_flight`). It only bounds concurrency: the key's
/// `TokenBucket` still paces every call, so more requests in flight never add throttled answers.
///
/// Callers take a slot *before* waiting on the bucket, so a reserved bucket slot is never left
/// idle by a caller that then waits here.
public final class InFlightLimit: @unchecked Sendable {
    // `@unchecked`: all mutable state is guarded by `condition`.
    /// The answer time assumed before any was observed (the middle of real explorers' 200–800 ms).
    public static let assumedLatency: TimeInterval = 0.5
    /// Weight of the newest observation in the average.
    static let smoothing = 0.2

    private let condition = NSCondition()
    private let ratePerSecond: @Sendable () -> Double
    private var maximum: Int
    private var averageLatency: TimeInterval
    private var active = 0
    private var peak = 0

    /// - Parameters:
    ///   - ratePerSecond: the key's current pace (the bucket's effective rate).
    ///   - cap: the most requests ever in flight (≥ 1).
    public init(cap: Int, initialLatency: TimeInterval = assumedLatency, ratePerSecond: @escaping @Sendable () -> Double) {
        self.maximum = max(1, cap)
        self.averageLatency = max(0, initialLatency)
        self.ratePerSecond = ratePerSecond
    }

    /// The concurrency Little's law asks for, within `1...cap`.
    public static func limit(ratePerSecond: Double, latency: TimeInterval, cap: Int) -> Int {
        let wanted = (ratePerSecond * latency * 1.25).rounded(.up) + 1
        guard wanted.isFinite else { return max(1, cap) }
        return max(1, min(max(1, cap), Int(min(wanted, Double(Int32.max)))))
    }

    /// The current limit.
    public var limit: Int {
        condition.lock()
        defer { condition.unlock() }
        return currentLimit()
    }

    /// The cap (`max_in_flight`).
    public var cap: Int {
        condition.lock()
        defer { condition.unlock() }
        return maximum
    }

    /// The most requests seen in flight at once.
    public var peakInFlight: Int {
        condition.lock()
        defer { condition.unlock() }
        return peak
    }

    /// The average answer time observed so far (seconds).
    public var observedLatency: TimeInterval {
        condition.lock()
        defer { condition.unlock() }
        return averageLatency
    }

    /// Lowers the cap when a second configuration shares the key with a smaller one.
    public func limitCap(to cap: Int) {
        condition.lock()
        maximum = min(maximum, max(1, cap))
        condition.unlock()
    }

    /// Blocks until a request may be sent, then counts it in flight.
    public func acquire() {
        condition.lock()
        while active >= currentLimit() { condition.wait() }
        active += 1
        peak = max(peak, active)
        condition.unlock()
    }

    /// The request is over: frees its slot and folds its answer time (nil: no answer, e.g. a
    /// dropped connection) into the average.
    public func release(latency: TimeInterval?) {
        condition.lock()
        active = max(0, active - 1)
        if let latency, latency.isFinite, latency >= 0 {
            averageLatency += Self.smoothing * (latency - averageLatency)
        }
        condition.broadcast()
        condition.unlock()
    }

    private func currentLimit() -> Int {
        Self.limit(ratePerSecond: ratePerSecond(), latency: averageLatency, cap: maximum)
    }
}

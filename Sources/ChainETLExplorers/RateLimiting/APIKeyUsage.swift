import Foundation

/// One API key's calls during a stretch of time (a run), named by its fingerprint, never the key.
public struct APIKeyUsage: Sendable, Equatable, Codable {
    public var fingerprint: String
    /// The calls per second configured for the key (`per_second`, the lowest if several differ).
    public var configuredRatePerSecond: Double
    /// Calls granted by the key's bucket, retries included.
    public var calls: Int
    /// Seconds from the first call to the last.
    public var spanSeconds: Double
    /// Answers the server throttled.
    public var throttles: Int

    public init(
        fingerprint: String, configuredRatePerSecond: Double, calls: Int, spanSeconds: Double, throttles: Int
    ) {
        self.fingerprint = fingerprint
        self.configuredRatePerSecond = configuredRatePerSecond
        self.calls = calls
        self.spanSeconds = spanSeconds
        self.throttles = throttles
    }

    /// Calls per second over the span: `calls ÷ span` (nil below two calls or a zero span).
    ///
    /// n evenly paced calls span n − 1 gaps, so `calls ÷ span` reads `n/(n−1)` above the pace
    /// for short runs; it is the figure the issue defines (calls over the span of the requests).
    public var achievedRatePerSecond: Double? {
        guard calls >= 2, spanSeconds > 0 else { return nil }
        return Double(calls) / spanSeconds
    }

    /// `achievedRatePerSecond ÷ configuredRatePerSecond`.
    public var rateShare: Double? {
        guard let achieved = achievedRatePerSecond, configuredRatePerSecond > 0 else { return nil }
        return achieved / configuredRatePerSecond
    }

    /// Throttled answers ÷ calls.
    public var throttledShare: Double {
        calls > 0 ? Double(throttles) / Double(calls) : 0
    }

    enum CodingKeys: String, CodingKey {
        case fingerprint, calls, throttles
        case configuredRatePerSecond = "configured_per_second"
        case spanSeconds = "span_seconds"
    }
}

import Foundation

/// Exponential backoff with full jitter, as a pure state machine: the caller sleeps and resends.
///
/// After the n-th consecutive failure the delay is uniform in `[0, min(maximumDelay,
/// baseDelay × 2^(n-1))]` ("full jitter", so parallel workers do not retry in lockstep), and never
/// shorter than the server's `Retry-After`. Fatal errors fail at once; retryable ones fail after
/// `maximumAttempts` attempts in total.
public struct RetryPolicy: Sendable {
    /// What the caller does next.
    public enum Action: Equatable, Sendable {
        /// Sleep this many seconds, then send the same request again.
        case retry(after: TimeInterval)
        /// Stop and fail the stage with this error.
        case fail(ExplorerError)
    }

    public var baseDelay: TimeInterval
    public var maximumDelay: TimeInterval
    /// Attempts in total, the first one included.
    public var maximumAttempts: Int
    /// The longest `Retry-After` honoured; longer values are clipped to it.
    public var maximumRetryAfter: TimeInterval
    /// Consecutive failures so far for the current request.
    public private(set) var failures = 0

    public init(
        baseDelay: TimeInterval = 1, maximumDelay: TimeInterval = 60, maximumAttempts: Int = 8,
        maximumRetryAfter: TimeInterval = 300
    ) {
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.maximumAttempts = max(1, maximumAttempts)
        self.maximumRetryAfter = maximumRetryAfter
    }

    /// The request failed with `error`; `retryAfter` is the server's hint, if any.
    public mutating func failed(
        _ error: ExplorerError, retryAfter: TimeInterval? = nil, using random: inout some RandomNumberGenerator
    ) -> Action {
        failures += 1
        guard error.isRetryable else { return .fail(error) }
        guard failures < maximumAttempts else {
            return .fail(.retriesExhausted(attempts: failures, last: error))
        }
        let exponent = Double(min(failures - 1, 62))
        let ceiling = min(maximumDelay, baseDelay * pow(2, exponent))
        var delay = ceiling > 0 ? Double.random(in: 0...ceiling, using: &random) : 0
        if let retryAfter, retryAfter > 0 {
            delay = max(delay, min(retryAfter, maximumRetryAfter))
        }
        return .retry(after: delay)
    }

    /// The request succeeded: the next failure starts a fresh sequence.
    public mutating func succeeded() {
        failures = 0
    }
}

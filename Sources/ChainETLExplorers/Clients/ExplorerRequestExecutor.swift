import ChainETLCore
import Foundation
import Logging

/// Sends explorer requests: waits for the key's token bucket, counts the daily quota, calls the
/// transport, decodes, and retries retryable failures per `RetryPolicy` (sleeping on the clock).
///
/// Between requests and after every wait it checks `CancellationFlag.process` and throws
/// `CancellationFlag.Interrupted` once a stop signal arrived, so an extraction ends promptly.
///
/// Several worker threads may share one executor (the walks of one extract stage run
/// concurrently): its counters and random generator are guarded by a lock. The bucket, in-flight
/// gate and quota it draws from are shared process-wide.
public final class ExplorerRequestExecutor: @unchecked Sendable {
    // `@unchecked`: the counters and `random` are guarded by `counterLock`; the rest is immutable
    // or thread-safe itself.
    private let transport: any HTTPTransport
    private let limiter: TokenBucket
    private let quota: DailyQuotaGate?
    private let policyTemplate: RetryPolicy
    private let clock: any MonotonicClock
    private var random: ErasedRandomNumberGenerator
    private let secret: String?
    private let logger: Logger
    private let currentDate: () -> Date
    private let onEvent: (ExplorerEvent) -> Void

    /// Limits this key's requests in flight (nil: no limit beyond the caller's threads).
    private let inFlight: InFlightLimit?
    private let counterLock = NSLock()
    private var counts = (requests: 0, throttles: 0, retries: 0)

    /// HTTP calls sent, retries included (for `plan`, bench and the simulator's request count).
    public var requestCount: Int { counterLock.withLock { counts.requests } }
    /// Calls the server throttled.
    public var throttleCount: Int { counterLock.withLock { counts.throttles } }
    /// Failed attempts that were retried.
    public var retryCount: Int { counterLock.withLock { counts.retries } }

    /// - Parameters:
    ///   - secret: the API key value, scrubbed from any server text that ends up in an error.
    ///   - onEvent: called for each retry and throttle (on the calling thread).
    public init(
        transport: any HTTPTransport, limiter: TokenBucket, quota: DailyQuotaGate? = nil,
        retryPolicy: RetryPolicy = RetryPolicy(), clock: any MonotonicClock = SystemMonotonicClock(),
        random: any RandomNumberGenerator = SystemRandomNumberGenerator(), secret: String?, logger: Logger,
        currentDate: @escaping () -> Date = { Date() },
        onEvent: @escaping (ExplorerEvent) -> Void = { _ in }, inFlight: InFlightLimit? = nil
    ) {
        self.inFlight = inFlight
        self.transport = transport
        self.limiter = limiter
        self.quota = quota
        self.policyTemplate = retryPolicy
        self.clock = clock
        self.random = ErasedRandomNumberGenerator(base: random)
        self.secret = secret
        self.logger = logger
        self.currentDate = currentDate
        self.onEvent = onEvent
    }

    /// Sends `request` until `decode` accepts the response or the failure is fatal.
    ///
    /// `queryTimeout` and `resultWindowTooLarge` are thrown at once: the walker decides what to do.
    public func perform<T>(_ request: HTTPRequest, decode: (HTTPResponse) throws -> T) throws -> T {
        var policy = policyTemplate
        while true {
            try CancellationFlag.process.check()
            // The in-flight slot first: a bucket slot is then never left idle waiting for it.
            inFlight?.acquire()
            // A slot of a key budget shared with other processes is taken last: it is only good
            // for a few milliseconds, so the daily quota's round trip must not stand before the send.
            let slotLast = limiter.sharesBudget
            if !slotLast { limiter.acquire() }
            do {
                try CancellationFlag.process.check()
                try quota?.consumeOne()
                if slotLast {
                    limiter.acquire()
                    try CancellationFlag.process.check()
                }
            } catch {
                inFlight?.release(latency: nil)
                throw error
            }
            counterLock.withLock { counts.requests += 1 }
            let failure: ExplorerError
            var retryAfter: TimeInterval?
            do {
                let sent = clock.now()
                let response: HTTPResponse
                do {
                    response = try transport.get(request)
                } catch {
                    inFlight?.release(latency: nil)
                    throw error
                }
                // Freed before decoding and before any backoff: the slot is for the server's time.
                inFlight?.release(latency: clock.now() - sent)
                retryAfter = response.retryAfter(now: currentDate())
                return try decode(response)
            } catch let error as ExplorerError {
                failure = error
            } catch let stop as CancellationFlag.Interrupted {
                // A stop signal cancelled the request: not a transport failure to retry.
                throw stop
            } catch {
                failure = .transport(
                    .other(RedactedURL.scrub(String(describing: type(of: error)), secret: secret)),
                    request: request.redacted)
            }
            try waitBeforeRetry(after: failure, retryAfter: retryAfter, policy: &policy, request: request)
        }
    }

    /// Applies `policy` to `failure`: sleeps (reporting a retry or throttle event) when the request
    /// may be sent again, throws the final error otherwise.
    public func waitBeforeRetry(
        after failure: ExplorerError, retryAfter: TimeInterval? = nil, policy: inout RetryPolicy, request: HTTPRequest
    ) throws {
        let decision = counterLock.withLock { policy.failed(failure, retryAfter: retryAfter, using: &random) }
        switch decision {
        case .fail(let error):
            throw error
        case .retry(let delay):
            counterLock.withLock { counts.retries += 1 }
            if failure.isThrottle {
                counterLock.withLock { counts.throttles += 1 }
                // Hold every worker on this key back, not only this one.
                limiter.pause(for: max(1, delay))
            }
            // The whole error (the request, any server text) at debug level only; the event is the
            // one short line a person reads: attempt, delay, status or class, endpoint and window.
            logger.debug(
                "explorer request failed, retrying",
                metadata: [
                    "explorer.request": "\(request.redacted)",
                    "explorer.error": "\(failure)",
                    "retry.attempt": "\(policy.failures)",
                    "retry.delay.ms": "\(Int(delay * 1000))",
                ])
            onEvent(
                ExplorerEvent(
                    kind: failure.isThrottle ? .throttled : .retry,
                    message: Self.retryLine(failure, attempt: policy.failures, delay: delay, request: request.redacted),
                    request: request.redacted, attempt: policy.failures, delay: delay))
            clock.sleep(until: clock.now() + delay)
            try CancellationFlag.process.check()
        }
    }
}


extension ExplorerRequestExecutor {
    /// `attempt 2 failed (http 502) on logs/getLogs blocks 100-200 page 1; retrying in 1.4s` (or `in 340ms`).
    static func retryLine(_ failure: ExplorerError, attempt: Int, delay: TimeInterval, request: RedactedURL) -> String {
        "attempt \(attempt) failed (\(failure.shortReason)) on \(request.endpointSummary); retrying in "
            + (delay < 1 ? "\(Int((delay * 1000).rounded()))ms" : String(format: "%.1fs", delay))
    }
}

/// Lets the executor keep an injected generator of any type (tests seed one; production uses
/// `SystemRandomNumberGenerator`).
private struct ErasedRandomNumberGenerator: RandomNumberGenerator {
    var base: any RandomNumberGenerator

    mutating func next() -> UInt64 { base.next() }
}

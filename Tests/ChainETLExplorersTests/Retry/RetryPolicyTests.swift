import Foundation
import Testing

@testable import ChainETLExplorers

@Suite("RetryPolicy")
struct RetryPolicyTests {
    let request = RedactedURL(string: "https://x.test/api?apikey=***")

    @Test func fullJitterStaysUnderTheDoublingCeilingUpToSixtySeconds() {
        var policy = RetryPolicy(maximumAttempts: 12)
        var random = SeededRandom(seed: 7)
        var delays: [TimeInterval] = []
        for attempt in 1...11 {
            guard case .retry(let delay) = policy.failed(.transport(.timeout, request: request), using: &random) else {
                Issue.record("attempt \(attempt) did not retry")
                return
            }
            let ceiling = min(60, pow(2, Double(attempt - 1)))
            #expect(delay >= 0 && delay <= ceiling, "attempt \(attempt): \(delay) > \(ceiling)")
            delays.append(delay)
        }
        // Jitter: not every delay sits on the ceiling, and the late ones use the 60 s range.
        #expect(Set(delays).count == delays.count)
        #expect(delays.suffix(4).contains { $0 > 8 })
    }

    @Test func boundedAttemptsEndInRetriesExhausted() {
        var policy = RetryPolicy(maximumAttempts: 3)
        var random = SeededRandom(seed: 1)
        let failure = ExplorerError.httpStatus(503, detail: "", request: request)
        #expect(policy.failed(failure, using: &random) != .fail(failure))
        #expect(policy.failed(failure, using: &random) != .fail(failure))
        #expect(policy.failed(failure, using: &random) == .fail(.retriesExhausted(attempts: 3, last: failure)))
    }

    @Test func fatalErrorsFailAtOnce() {
        var policy = RetryPolicy()
        var random = SeededRandom(seed: 1)
        for fatal: ExplorerError in [
            .invalidAPIKey("Invalid API Key", request: request),
            .chainNotOnPlan("Free API access is not supported for this chain", request: request),
            .invalidRequest("Error! Missing Or invalid Action name", request: request),
            .explorerRejected("unknown", request: request),
            .httpStatus(404, detail: "", request: request),
        ] {
            #expect(policy.failed(fatal, using: &random) == .fail(fatal))
        }
    }

    @Test func retryAfterIsHonouredAndCapped() {
        var policy = RetryPolicy(maximumRetryAfter: 120)
        var random = SeededRandom(seed: 3)
        let throttled = ExplorerError.httpStatus(429, detail: "", request: request)
        #expect(policy.failed(throttled, retryAfter: 17, using: &random) == .retry(after: 17))
        #expect(policy.failed(throttled, retryAfter: 3_600, using: &random) == .retry(after: 120))
    }

    @Test func successStartsAFreshSequence() {
        var policy = RetryPolicy(maximumAttempts: 2)
        var random = SeededRandom(seed: 3)
        let failure = ExplorerError.rateLimited("Max rate limit reached", request: request)
        _ = policy.failed(failure, using: &random)
        policy.succeeded()
        #expect(policy.failures == 0)
        guard case .retry = policy.failed(failure, using: &random) else {
            Issue.record("a fresh sequence should retry")
            return
        }
    }

    @Test func retryAfterHeaderParses() {
        let seconds = HTTPResponse(status: 429, headers: ["Retry-After": "7"], body: [])
        #expect(seconds.retryAfter() == 7)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let date = HTTPResponse(status: 503, headers: ["retry-after": "Tue, 14 Nov 2023 22:13:40 GMT"], body: [])
        #expect(date.retryAfter(now: now) == 20)
        #expect(HTTPResponse(status: 503, body: []).retryAfter() == nil)
    }
}

import Foundation
import Logging
import Testing

@testable import ChainETLExplorers

@Suite("InFlightLimit: requests in flight per key")
struct InFlightLimitTests {
    @Test func limitFollowsLittlesLawWithinTheCap() {
        // 5 calls/s × 0.4 s = 2 in flight, × 1.25 + 1 → 4.
        #expect(InFlightLimit.limit(ratePerSecond: 5, latency: 0.4, cap: 8) == 4)
        #expect(InFlightLimit.limit(ratePerSecond: 5, latency: 0.8, cap: 8) == 6)
        #expect(InFlightLimit.limit(ratePerSecond: 30, latency: 0.8, cap: 8) == 8)
        #expect(InFlightLimit.limit(ratePerSecond: 5, latency: 0, cap: 8) == 1)
        #expect(InFlightLimit.limit(ratePerSecond: 5, latency: 0.4, cap: 1) == 1)
    }

    @Test func observedLatencyMovesTheLimit() {
        let limit = InFlightLimit(cap: 8, initialLatency: 0.1) { 10 }
        #expect(limit.limit == 3)
        for _ in 0..<40 {
            limit.acquire()
            limit.release(latency: 0.6)
        }
        #expect(abs(limit.observedLatency - 0.6) < 0.01)
        #expect(limit.limit == 8)
        limit.limitCap(to: 2)
        #expect(limit.limit == 2)
    }

    /// A transport that answers after `delay` and counts the requests it holds at once. Each
    /// request also waits (up to `patience`) for `overlapWanted` requests to be in flight, so a
    /// loaded machine cannot hide an overlap the executor allows.
    final class DelayingTransport: HTTPTransport, @unchecked Sendable {
        private let condition = NSCondition()
        private var active = 0
        private(set) var peak = 0
        private(set) var requests = 0
        let delay: TimeInterval
        let overlapWanted: Int
        let patience: TimeInterval

        init(delay: TimeInterval, overlapWanted: Int, patience: TimeInterval = 5) {
            self.delay = delay
            self.overlapWanted = overlapWanted
            self.patience = patience
        }

        var observedPeak: Int { condition.withLock { peak } }

        func get(_ request: HTTPRequest) throws -> HTTPResponse {
            condition.lock()
            active += 1
            requests += 1
            peak = max(peak, active)
            condition.broadcast()
            let deadline = Date().addingTimeInterval(patience)
            while active < overlapWanted && peak < overlapWanted && condition.wait(until: deadline) {}
            condition.unlock()
            Thread.sleep(forTimeInterval: delay)
            condition.withLock { active -= 1 }
            return HTTPResponse(status: 200, headers: [:], body: Array(#"{"status":"1","message":"OK","result":"0x10"}"#.utf8))
        }
    }

    @Test func requestsOverlapUpToTheCapButNeverBeyond() throws {
        let transport = DelayingTransport(delay: 0.1, overlapWanted: 3)
        let bucket = TokenBucket(ratePerSecond: 20, clock: SystemMonotonicClock())
        let gate = InFlightLimit(cap: 3) { bucket.effectiveRatePerSecond }
        let executor = ExplorerRequestExecutor(
            transport: transport, limiter: bucket, secret: nil,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, inFlight: gate)
        let request = HTTPRequest(url: URL(string: "http://127.0.0.1:1/v2/api?module=proxy&action=eth_blockNumber")!)
        let group = DispatchGroup()
        for _ in 0..<6 {
            group.enter()
            Thread.detachNewThread {
                for _ in 0..<3 { _ = try? executor.perform(request) { $0.status } }
                group.leave()
            }
        }
        group.wait()
        #expect(executor.requestCount == 18)
        #expect(transport.requests == 18)
        #expect(transport.observedPeak == 3, "three requests in flight at once, never four")
        #expect(gate.peakInFlight == 3)
    }
}

import ChainETLCore
import Foundation
import Logging
import Testing

@testable import ChainETLExplorers

/// A request cancelled by a stop signal ends the extraction at once (issue 14, item 4).
///
/// The process-wide flag is never cancelled here (it would stop every other test in the
/// process): the transport throws what a cancelled `URLSessionTransport` throws.
@Suite("ExplorerRequestExecutor and stop signals")
struct ExplorerRequestExecutorStopTests {
    private final class CancelledTransport: HTTPTransport, @unchecked Sendable {
        var calls = 0
        func get(_ request: HTTPRequest) throws -> HTTPResponse {
            calls += 1
            throw CancellationFlag.Interrupted()
        }
    }

    @Test func aCancelledRequestIsNeitherRetriedNorReportedAsATransportFailure() throws {
        let clock = ManualClock()
        let transport = CancelledTransport()
        let executor = ExplorerRequestExecutor(
            transport: transport, limiter: TokenBucket(ratePerSecond: 1000, clock: clock), clock: clock,
            secret: nil, logger: Logger(label: "test"))
        let request = HTTPRequest(url: URL(string: "http://127.0.0.1:1/api?module=account")!)
        #expect(throws: CancellationFlag.Interrupted.self) {
            _ = try executor.perform(request) { _ in 0 }
        }
        #expect(transport.calls == 1)
        #expect(executor.retryCount == 0)
    }

    @Test func aFreshFlagSleepsTheWholeTimeAndACancelledOneWakesAtOnce() {
        let flag = CancellationFlag()
        #expect(flag.sleep(seconds: 0.01))
        flag.cancel()
        #expect(!flag.sleep(seconds: 3600))
        #expect(throws: CancellationFlag.Interrupted.self) { try flag.check() }
        let called = CancellationFlag()
        flag.onCancel { called.cancel() }
        #expect(called.isCancelled, "a handler added after the cancel runs at once")
    }
}

import ChainETLCore
import ChainETLExplorers
import ChainETLSimulator
import Foundation
import Logging
import Testing

@testable import ChainETLStages

@Suite("Extract: requests in flight, deterministic output, calls near the lower bound")
struct ExtractConcurrencyTests {
    /// A day of the dense simulator: ~40,000 transfers per token, so a token's walk needs ~40 pages.
    static let day = PartitionDay("2026-11-06")!

    /// The rows of a checkpoint in order, without the request metadata (`fetched_at`, window, page
    /// differ with the concurrency): the text before `"request"` and the verbatim `row`.
    static func rowsWithoutRequest(_ lines: [[UInt8]]) throws -> [String] {
        try lines.map { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            let request = try #require(text.range(of: "\"request\":"))
            let row = try #require(text.range(of: "},\"row\":", range: request.upperBound..<text.endIndex))
            return String(text[..<request.lowerBound]) + String(text[row.upperBound...])
        }
    }

    static func configuration(server: SimulatorServer, tokens: [String], maxInFlight: Int, ratePerSecond: Double = 40)
        throws -> ExtractConfiguration
    {
        let tracked = SimulatedChain.tokens(chainID: 1).filter { tokens.contains($0.symbol) }.map {
            TrackedToken(address: $0.address, symbol: $0.symbol, decimals: $0.decimalsValue)
        }
        var chain = ExtractFixture.chain(server: server, ratePerSecond: ratePerSecond, tokens: tracked)
        chain.maxInFlight = maxInFlight
        let (pipeline, stage) = ExtractFixture.pipeline(chains: [chain], kind: .etherscanLogs)
        return try ExtractConfiguration(kind: .etherscanLogs, spec: stage, pipeline: pipeline)
    }

    @Test func concurrencyOneAndEightUnderFaultsWriteTheSameRowsInTheSameOrder() throws {
        let server = try ExtractFixture.startSimulator(faultRate: 0.1, transfersPerDay: 40_000)
        defer { server.stop() }
        let (logger, logs) = CapturingLogHandler.logger()
        var outputs: [[String]] = []
        var summaries: [DayExtractionSummary] = []
        for maxInFlight in [1, 8] {
            let configuration = try Self.configuration(
                server: server, tokens: ["USDC", "DAI"], maxInFlight: maxInFlight)
            let (summary, capture) = try ExtractDayExtractionTests.extract(
                configuration, day: Self.day, dependencies: ExtractFixture.dependencies(), logger: logger)
            outputs.append(try Self.rowsWithoutRequest(capture.lines))
            summaries.append(summary)
            let last = try #require(capture.statuses.last)
            #expect(last.rows == capture.lines.count)
            #expect(last.blocksDone == last.blocksTotal)
        }
        #expect(server.stats.faultsInjected > 0, "the runs must have met faults")
        #expect(outputs[0].count > 70_000)
        #expect(outputs[0].count == outputs[1].count)
        #expect(outputs[0] == outputs[1], "the same rows in the same order whatever the concurrency")
        #expect(summaries[0].rows == summaries[1].rows)
        #expect(logs.lines.contains { $0.contains("dense walk split") }, "concurrency 8 split the dense walks")
    }

    @Test func aDayOfMoreThanFiftyPagesCostsAtMostTenPercentAboveTheLowerBound() throws {
        let server = try ExtractFixture.startSimulator(transfersPerDay: 60_000)
        defer { server.stop() }
        let (logger, _) = CapturingLogHandler.logger()
        let configuration = try Self.configuration(server: server, tokens: ["USDC"], maxInFlight: 8)
        let (summary, capture) = try ExtractDayExtractionTests.extract(
            configuration, day: Self.day, dependencies: ExtractFixture.dependencies(), logger: logger)
        let chain = try #require(summary.chains.first)
        #expect(chain.rows == capture.lines.count)
        #expect(chain.callsLowerBound == 3 + (chain.rows + 999) / 1_000, "head, two getblocknobytime, the pages")
        #expect(chain.callsLowerBound > 50 + 3)
        #expect(Double(chain.calls) <= 1.10 * Double(chain.callsLowerBound), "calls \(chain.calls) vs \(chain.callsLowerBound)")
        #expect(summary.details["calls.lower_bound"] == "\(chain.callsLowerBound)")
        #expect(summary.details["chain.ethereum.calls.lower_bound"] == "\(chain.callsLowerBound)")
        #expect(summary.details["calls"] == "\(chain.calls)")
        #expect(server.stats.requests == chain.calls)
    }

    /// Wraps a transport: every answer takes `delay` longer, and the requests held at once are counted.
    final class DelayingTransport: HTTPTransport, @unchecked Sendable {
        private let base: any HTTPTransport
        private let delay: TimeInterval
        private let condition = NSCondition()
        private var active = 0
        private var peak = 0
        private var total = 0
        /// Requests wait (up to 30 s) for this many in flight, so a loaded machine cannot hide an overlap.
        private let overlapWanted: Int

        init(_ base: any HTTPTransport, delay: TimeInterval, overlapWanted: Int) {
            self.base = base
            self.delay = delay
            self.overlapWanted = overlapWanted
        }

        var observedPeak: Int { condition.withLock { peak } }
        var requests: Int { condition.withLock { total } }

        func get(_ request: HTTPRequest) throws -> HTTPResponse {
            condition.lock()
            active += 1
            total += 1
            peak = max(peak, active)
            condition.broadcast()
            let deadline = Date().addingTimeInterval(30)
            while peak < overlapWanted && condition.wait(until: deadline) {}
            condition.unlock()
            defer { condition.withLock { active -= 1 } }
            Thread.sleep(forTimeInterval: delay)
            return try base.get(request)
        }
    }

    @Test func slowAnswersAndATwentyPerSecondBucketKeepSeveralRequestsInFlight() throws {
        let server = try ExtractFixture.startSimulator()
        defer { server.stop() }
        let (logger, _) = CapturingLogHandler.logger()
        let configuration = try Self.configuration(
            server: server, tokens: ["USDC", "DAI", "WETH", "HUGE"], maxInFlight: 4, ratePerSecond: 20)
        let transport = DelayingTransport(URLSessionTransport(), delay: 0.1, overlapWanted: 3)
        var dependencies = ExtractFixture.dependencies()
        dependencies.transport = transport
        let (summary, _) = try ExtractDayExtractionTests.extract(
            configuration, day: PartitionDay("2026-11-03")!, dependencies: dependencies, logger: logger)
        #expect(transport.requests == summary.calls)
        #expect(transport.observedPeak >= 3, "walks of different tokens overlap")
        #expect(transport.observedPeak <= 4, "never more than max_in_flight")
        #expect(summary.chains.first?.throttles == 0)
    }

    @Test func theHeadAndBothDayBoundariesAreAskedAtOnce() throws {
        let server = try ExtractFixture.startSimulator()
        defer { server.stop() }
        let (logger, _) = CapturingLogHandler.logger()
        // One small token: one page, no split and no reorg baseline, so only phase 1 can overlap.
        let configuration = try Self.configuration(
            server: server, tokens: ["DAI"], maxInFlight: 4, ratePerSecond: 20)
        let transport = DelayingTransport(URLSessionTransport(), delay: 0.1, overlapWanted: 3)
        var dependencies = ExtractFixture.dependencies()
        dependencies.transport = transport
        let (summary, _) = try ExtractDayExtractionTests.extract(
            configuration, day: PartitionDay("2026-11-03")!, dependencies: dependencies, logger: logger)
        let chain = try #require(summary.chains.first)
        #expect(chain.calls >= 4, "head, two getblocknobytime, the walk")
        #expect(transport.requests == chain.calls)
        #expect(transport.observedPeak == 3, "the three calls of phase 1 were in flight together")
    }
}

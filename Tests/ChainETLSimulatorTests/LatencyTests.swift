import Foundation
import Testing

@testable import ChainETLSimulator

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Records the delays the server asked to wait, instead of sleeping.
private final class RecordingSleeper: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Double] = []

    var delays: [Double] { lock.withLock { recorded } }

    func sleep(_ seconds: Double) {
        lock.withLock { recorded.append(seconds) }
    }
}

@Suite("Answer latency")
struct LatencyTests {
    let head = "/v2/api?chainid=1&module=proxy&action=eth_blockNumber&apikey=k"

    @Test func everyAPIAnswerWaitsTheLatencyButStatsDoNot() {
        let service = makeService(SimulatorConfiguration(fixedNow: pinnedNow, latencyMilliseconds: 300))
        #expect(service.get(head).delay == 0.3)
        #expect(service.get("/blockscout/100/api?module=block&action=eth_block_number").delay == 0.3)
        #expect(service.get("/v2/api?chainid=999&module=proxy&action=eth_blockNumber").delay == 0.3)
        #expect(service.get("/_sim/stats").delay == 0)
        #expect(service.get("/nowhere").delay == 0)
    }

    @Test func noLatencyByDefault() {
        #expect(makeService().get(head).delay == 0)
    }

    @Test func aThrottledRequestCountsOnArrivalAndItsAnswerStillWaits() {
        let clock = ManualClock()
        let service = makeService(
            SimulatorConfiguration(ratePerSecond: 1, fixedNow: pinnedNow, latencyMilliseconds: 400), clock: clock)
        let admitted = service.get(head)
        let throttled = service.get(head)
        #expect(admitted.text.contains("jsonrpc"))
        #expect(throttled.text.contains("rate limit"))
        #expect(admitted.delay == 0.4 && throttled.delay == 0.4)
        #expect(service.currentStats.throttled == 1)
    }

    @Test func aSlowFaultWaitsItsOwnDelayOnTopOfTheLatency() {
        let service = makeService(
            SimulatorConfiguration(faultRate: 1, faultKinds: [.slow], fixedNow: pinnedNow, latencyMilliseconds: 200))
        let reply = service.get(head)
        #expect(reply.delay >= 1.2 && reply.delay < 2.2)
    }

    @Test func jitterIsUniformAroundTheLatencyAndSeeded() {
        let configuration = SimulatorConfiguration(
            fixedNow: pinnedNow, latencyMilliseconds: 300, latencyJitterMilliseconds: 100)
        let first = makeService(configuration)
        let second = makeService(configuration)
        let delays = (0..<200).map { _ in first.get(head).delay }
        #expect(delays == (0..<200).map { _ in second.get(head).delay })
        #expect(delays.allSatisfy { (0.2...0.4).contains($0) })
        #expect(delays.contains { $0 < 0.25 } && delays.contains { $0 > 0.35 })
        let mean = delays.reduce(0, +) / Double(delays.count)
        #expect(abs(mean - 0.3) < 0.02)
    }

    @Test(arguments: [(-1, 0, "--latency-ms"), (60_001, 0, "--latency-ms"), (100, 101, "--latency-jitter-ms")])
    func validationNamesTheOption(latency: Int, jitter: Int, option: String) {
        let configuration = SimulatorConfiguration(latencyMilliseconds: latency, latencyJitterMilliseconds: jitter)
        #expect {
            try configuration.validate()
        } throws: { error in
            guard case .invalidOption(let name, _) = error as? SimulatorError else { return false }
            return name == option
        }
    }

    @Test func theRequestSpanRunsFromTheFirstArrivalToTheLast() {
        let clock = ManualClock()
        let service = makeService(SimulatorConfiguration(fixedNow: pinnedNow), clock: clock)
        #expect(service.currentStats.requestSpanSeconds == 0)
        _ = service.get(head)
        clock.advance(seconds: 1.5)
        _ = service.get(head)
        clock.advance(seconds: 0.5)
        _ = service.get("/_sim/stats")
        #expect(service.currentStats.requestSpanSeconds == 1.5)
        #expect(service.currentStats.json.contains(#""request_span_ms":1500"#))
    }

    @Test func theServerWaitsTheLatencyBeforeWritingTheAnswer() async throws {
        let sleeper = RecordingSleeper()
        let server = try SimulatorServer(
            configuration: SimulatorConfiguration(fixedNow: pinnedNow, latencyMilliseconds: 250), logger: quietLogger,
            sleeper: { sleeper.sleep($0) })
        try server.start()
        defer { server.stop() }
        let url = try #require(URL(string: "\(server.baseURL)\(head)"))
        let (data, _) = try await URLSession.shared.data(from: url)
        #expect(String(decoding: data, as: UTF8.self).contains("jsonrpc"))
        // The answer is written only after the sleeper returns, so the wait is already recorded.
        #expect(sleeper.delays == [0.25])
        _ = try await URLSession.shared.data(from: try #require(URL(string: "\(server.baseURL)/_sim/stats")))
        #expect(sleeper.delays == [0.25])
    }
}

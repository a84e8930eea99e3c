import Foundation
import Testing

@testable import ChainETLSimulator

@Suite("Keys, plans, rate limits and faults")
struct LimitsAndFaultsTests {
    let head = "/v2/api?chainid=1&module=proxy&action=eth_blockNumber"

    @Test func apiKeyIsRequiredWhenConfigured() {
        let service = makeService(SimulatorConfiguration(apiKey: "sekret", fixedNow: pinnedNow))
        #expect(
            service.get(head + "&apikey=other").text == #"{"status":"0","message":"NOTOK","result":"Invalid API Key"}"#)
        #expect(service.get(head).text.contains("Missing/Invalid API Key"))
        #expect(service.get(head + "&apikey=sekret").text.hasPrefix(#"{"jsonrpc":"2.0""#))
        #expect(service.currentStats.rejected == 2)
        #expect(!service.currentStats.json.contains("sekret"))
    }

    @Test func chainsOutsideThePlanAnswerTheRecordedText() throws {
        let service = makeService(SimulatorConfiguration(paidChainIDs: [1], fixedNow: pinnedNow))
        #expect(
            service.get("/v2/api?chainid=25&module=proxy&action=eth_blockNumber").body
                == (try Fixture.bytes("etherscan.error.free-api-not-supported")))
        #expect(service.get(head).text.contains("jsonrpc"))
    }

    @Test func perSecondLimitIsASlidingWindowPerKey() throws {
        let clock = ManualClock()
        let service = makeService(SimulatorConfiguration(ratePerSecond: 3, fixedNow: pinnedNow), clock: clock)
        for _ in 0..<3 {
            #expect(service.get(head + "&apikey=a").text.contains("jsonrpc"))
            clock.advance(seconds: 0.1)
        }
        let throttled = service.get(head + "&apikey=a")
        #expect(throttled.status == 200)
        #expect(throttled.body == (try Fixture.bytes("etherscan.error.rate-limit-per-sec-synthetic")))
        #expect(service.get(head + "&apikey=b").text.contains("jsonrpc"))
        clock.advance(seconds: 0.75)  // the first call is now older than one second
        #expect(service.get(head + "&apikey=a").text.contains("jsonrpc"))
        #expect(service.get(head + "&apikey=a").text.contains("rate limit reached (3/sec)"))
        #expect(service.currentStats.throttled == 2)
    }

    @Test func peakCountsArrivalsInTheBusiestSlidingSecond() {
        let clock = ManualClock()
        let service = makeService(SimulatorConfiguration(fixedNow: pinnedNow), clock: clock)
        // 0.0, 0.4, 0.8 in one second; 1.0 drops 0.0; 1.3 joins 0.4, 0.8, 1.0: four within (0.3, 1.3].
        for step in [0.0, 0.4, 0.4, 0.2, 0.3] {
            clock.advance(seconds: step)
            _ = service.get(head)
        }
        #expect(service.currentStats.peakRequestsPerSecond == 4)
        clock.advance(seconds: 5)
        _ = service.get(head)
        #expect(service.currentStats.peakRequestsPerSecond == 4)
        #expect(service.currentStats.json.contains(#""peak_requests_per_second":4"#))
    }

    @Test func dailyLimitAnswersTheDailyText() {
        let clock = ManualClock()
        let service = makeService(SimulatorConfiguration(dailyLimit: 2, fixedNow: pinnedNow), clock: clock)
        #expect(service.get(head).text.contains("jsonrpc"))
        #expect(service.get(head).text.contains("jsonrpc"))
        #expect(
            service.get(head).text
                == #"{"status":"0","message":"NOTOK","result":"Max daily rate limit reached. 2 (100%) of 2 day/limit"}"#
        )
        #expect(service.currentStats.dailyLimited == 1)
    }

    @Test func blockscoutRateLimitIsHTTP429WithItsBody() throws {
        let service = makeService(SimulatorConfiguration(ratePerSecond: 1, fixedNow: pinnedNow))
        let target = "/blockscout/1/api?module=block&action=eth_block_number"
        #expect(service.get(target).status == 200)
        let limited = service.get(target)
        #expect(limited.status == 429)
        #expect(limited.body == (try Fixture.bytes("blockscout.error.rate-limit-429-synthetic")))
    }

    private func requests(_ count: Int) -> [String] {
        (0..<count).map { index in
            index % 3 == 0
                ? head
                : "/v2/api?chainid=1&module=account&action=tokentx&contractaddress=\(usdc.address)&startblock=\(testDayBlocks.lowerBound + index * 100)&endblock=\(testDayBlocks.lowerBound + index * 100 + 300)&sort=asc&offset=1000"
        }
    }

    private func signature(_ reply: Reply) -> String {
        "\(reply.dropped) \(reply.status) \(reply.delay) \(reply.header("Retry-After") ?? "-") \(reply.text.hashValue)"
    }

    @Test func faultsAreReproducibleFromTheSeed() {
        let configuration = SimulatorConfiguration(
            generator: GeneratorConfiguration(seed: 42), faultRate: 0.5, fixedNow: pinnedNow)
        let targets = requests(120)
        let first = makeService(configuration)
        let second = makeService(configuration)
        let firstRun = targets.map { signature(first.get($0)) }
        #expect(firstRun == targets.map { signature(second.get($0)) })
        var otherSeed = configuration
        otherSeed.generator.seed = 43
        let third = makeService(otherSeed)
        #expect(firstRun != targets.map { signature(third.get($0)) })
        let stats = first.currentStats
        #expect((35...85).contains(stats.faultsInjected))
        #expect(Set(stats.faultsByKind.keys) == Set(FaultKind.allCases.map(\.rawValue)))
    }

    @Test func faultsNeverPassOffWrongDataAsAnswers() throws {
        let targets = requests(150)
        let clean = makeService()
        let faulty = makeService(SimulatorConfiguration(faultRate: 0.6, fixedNow: pinnedNow))
        var seen = Set<String>()
        for target in targets {
            let truth = clean.get(target)
            let reply = faulty.get(target)
            if reply.dropped {
                seen.insert("drop")
            } else if reply.status == 429 {
                #expect(reply.header("Retry-After") == "1")
                seen.insert("429")
            } else if reply.status >= 500 {
                #expect(reply.text.hasPrefix("<html>"))
                seen.insert("5xx")
            } else if reply.body == truth.body {
                if reply.delay > 0 {
                    #expect((1.0...2.0).contains(reply.delay))
                    seen.insert("slow")
                }
            } else if reply.text.contains("Query Timeout occured") {
                #expect(target.contains("tokentx"))
                #expect(try reply.object()["status"] as? String == "0")
                seen.insert("timeout")
            } else {
                #expect(truth.body.starts(with: reply.body))
                #expect(reply.body.count < truth.body.count)
                #expect(!JSONShape.isValid(reply.body))
                seen.insert("truncate")
            }
        }
        #expect(seen == ["drop", "429", "5xx", "slow", "timeout", "truncate"])
    }

    @Test func faultKindsCanBeRestricted() throws {
        #expect(try FaultKind.parseList("drop, 503") == [.drop, .serviceUnavailable])
        #expect(throws: SimulatorError.self) { try FaultKind.parseList("drop,explode") }
        let service = makeService(SimulatorConfiguration(faultRate: 1, faultKinds: [.drop], fixedNow: pinnedNow))
        #expect(requests(10).allSatisfy { service.get($0).dropped })
        #expect(service.currentStats.faultsByKind == ["drop": 10])
    }

    @Test func statsCountActionsAndReset() throws {
        let service = makeService()
        _ = service.get(head)
        _ = service.get("/blockscout/1/api?module=block&action=eth_block_number")
        let stats = try #require(
            try JSONSerialization.jsonObject(with: Data(service.get("/_sim/stats").body)) as? [String: Any])
        #expect(stats["requests"] as? Int == 2)
        #expect(
            (stats["by_action"] as? [String: Int]) == [
                "proxy/eth_blockNumber": 1, "blockscout:block/eth_block_number": 1,
            ])
        #expect(service.get("/_sim/reset-stats").status == 405)
        #expect(service.get("/_sim/reset-stats", method: "POST").text == #"{"status":"ok"}"#)
        #expect(service.currentStats == SimulatorStats())
    }

    @Test func configurationIsValidated() {
        #expect(throws: SimulatorError.self) { try SimulatorConfiguration(faultRate: 1.5).validate() }
        #expect(throws: SimulatorError.self) { try SimulatorConfiguration(ratePerSecond: 0).validate() }
        #expect(throws: SimulatorError.self) { try SimulatorConfiguration(port: 70_000).validate() }
        #expect(throws: Never.self) { try SimulatorConfiguration().validate() }
    }
}

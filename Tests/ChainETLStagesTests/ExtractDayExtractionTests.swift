import ChainETLCore
import ChainETLExplorers
import ChainETLSimulator
import ChainETLTestSupport
import Foundation
import Logging
import Testing

@testable import ChainETLStages

@Suite("Extract: a day's extraction against the in-process simulator")
struct ExtractDayExtractionTests {
    /// Runs one day's extraction and returns what it produced.
    static func extract(
        _ configuration: ExtractConfiguration, day: PartitionDay, allowOpen: Bool = false,
        dependencies: ExtractionDependencies, logger: Logger
    ) throws -> (DayExtractionSummary, ExtractionCapture) {
        let capture = ExtractionCapture()
        let extraction = DayExtraction(
            configuration: configuration, day: day, allowOpen: allowOpen, dependencies: dependencies, logger: logger,
            hooks: capture.hooks)
        return (try extraction.run(), capture)
    }

    /// Reads the lines back and checks them against the simulator's ground truth for `day`:
    /// the exact multiset of (tx, token, from, to, value) and, per token, the count and value sum.
    static func expectGroundTruth(
        _ lines: [[UInt8]], chainID: Int, tokens: [String], day: PartitionDay, account: String? = nil
    ) throws {
        let truth = try GroundTruth.compute(
            seed: ExtractFixture.seed, chainID: chainID, tokens: tokens, from: day, to: day,
            transfersPerDay: ExtractFixture.transfersPerDay)
        var expected = try #require(truth.transfers).map {
            ExtractedTransfer(
                txHash: $0.txHash, token: $0.tokenAddress, from: $0.fromAddress, to: $0.toAddress, value: $0.value)
        }
        if let account { expected = expected.filter { $0.from == account || $0.to == account } }
        let blocks = try #require(SimulatedChain.chain(id: chainID)?.blocks(on: day))
        var extracted: [ExtractedTransfer] = []
        for line in lines {
            let decoded = try ExtractedTransfer.decode(line: line)
            #expect(blocks.contains(decoded.blockNumber), "row outside the day's blocks: \(decoded.blockNumber)")
            if let transfer = decoded.transfer { extracted.append(transfer) }
        }
        #expect(!expected.isEmpty)
        #expect(extracted.count == expected.count, "rows for \(day) on chain \(chainID)")
        #expect(extracted.sorted() == expected.sorted(), "transfer multiset for \(day) on chain \(chainID)")
        guard account == nil else { return }
        for volume in truth.daily {
            var sum = AmountSum()
            var count = 0
            for transfer in extracted where transfer.token == volume.tokenAddress {
                sum.add(try #require(UInt256(decimal: transfer.value)))
                count += 1
            }
            #expect(count == volume.allTransferCount, "count of \(volume.tokenAddress) on \(day)")
            #expect(sum.description == volume.allValueRaw, "value sum of \(volume.tokenAddress) on \(day)")
        }
    }

    /// Block numbers of the lines, per `request.contract`, must never go down.
    static func expectAscendingPerTarget(_ lines: [[UInt8]]) throws {
        var lastBlock: [String: Int] = [:]
        for line in lines {
            let object = try ExtractedTransfer.object(line)
            let request: [String: Any] = try ExtractedTransfer.field(object, "request")
            let target = "\(request["contract"] ?? "-")|\(request["address"] ?? "-")"
            let block = try ExtractedTransfer.decode(line: line).blockNumber
            #expect(block >= lastBlock[target, default: 0], "rows of \(target) out of order")
            lastBlock[target] = block
        }
    }

    @Test func threeDayBackfillWithFaultsEqualsGroundTruth() throws {
        let server = try ExtractFixture.startSimulator(faultRate: 0.1, ratePerSecond: 8)
        defer { server.stop() }
        let tokens = SimulatedChain.tokens(chainID: 1).filter { ["USDC", "DAI", "HUGE"].contains($0.symbol) }.map {
            TrackedToken(address: $0.address, symbol: $0.symbol, decimals: $0.decimalsValue)
        }
        #expect(tokens.count == 3)
        let chain = ExtractFixture.chain(server: server, ratePerSecond: 7, tokens: tokens)
        let (pipeline, stage) = ExtractFixture.pipeline(chains: [chain], kind: .etherscanLogs)
        let configuration = try ExtractConfiguration(kind: .etherscanLogs, spec: stage, pipeline: pipeline)
        let (logger, logs) = CapturingLogHandler.logger()
        let dependencies = ExtractFixture.dependencies()

        var totalCalls = 0
        var allText = ""
        var events: [ExtractionEventRecord] = []
        for day in PartitionDay.range(from: PartitionDay("2026-11-03")!, through: PartitionDay("2026-11-05")!) {
            let (summary, capture) = try Self.extract(
                configuration, day: day, dependencies: dependencies, logger: logger)
            try Self.expectGroundTruth(capture.lines, chainID: 1, tokens: tokens.map(\.address), day: day)
            try Self.expectAscendingPerTarget(capture.lines)
            let chainSummary = try #require(summary.chains.first)
            let blocks = try #require(SimulatedChain.chain(id: 1)?.blocks(on: day))
            #expect(chainSummary.firstBlock == blocks.lowerBound)
            #expect(chainSummary.lastBlock == blocks.upperBound)
            #expect(chainSummary.endBlock == blocks.upperBound)
            #expect(chainSummary.open == false)
            #expect(summary.rows == capture.lines.count)
            #expect(summary.details["chain.ethereum.rows"] == "\(capture.lines.count)")
            #expect(summary.details["chain.ethereum.first_block"] == "\(blocks.lowerBound)")
            let last = try #require(capture.statuses.last)
            #expect(last.rows == capture.lines.count)
            #expect(last.blocksDone == last.blocksTotal)
            #expect(last.calls == summary.calls)
            totalCalls += summary.calls
            allText += capture.text
            events += capture.events
        }
        let stats = server.stats
        #expect(stats.faultsInjected > 0, "the run must have met faults")
        // Every call we send is counted, retries included. URLSession may resend a GET by itself when
        // a kept-alive connection is dropped, which the server counts and we cannot see.
        #expect(stats.requests >= totalCalls)
        #expect(stats.requests - totalCalls <= stats.faultsByKind["drop", default: 0])
        #expect(events.contains { $0.kind == "http.retry" || $0.kind == "rate.throttled" })
        #expect(events.allSatisfy { $0.details["chain"] == "ethereum" })
        let eventText = events.map { "\($0.message) \($0.details)" }.joined(separator: "\n")
        let logText = logs.lines.joined(separator: "\n")
        for text in [allText, eventText, logText] {
            #expect(!text.contains(ExtractFixture.apiKey), "the api key leaked")
        }
        #expect(eventText.contains("apikey=***"))
    }

    @Test func tokenTransfersByContractAndByAccountEqualGroundTruth() throws {
        let server = try ExtractFixture.startSimulator()
        defer { server.stop() }
        let day = PartitionDay("2026-11-02")!
        let tokens = ExtractFixture.erc20Tokens(chainID: 25, count: 2)
        let (logger, _) = CapturingLogHandler.logger()

        let byContract = ExtractFixture.chain(name: "cronos", chainID: 25, server: server, tokens: tokens)
        let (pipeline, stage) = ExtractFixture.pipeline(chains: [byContract], kind: .etherscanTokenTransfers)
        let configuration = try ExtractConfiguration(kind: .etherscanTokenTransfers, spec: stage, pipeline: pipeline)
        #expect(configuration.chains.first?.targets.map(\.contract) == tokens.map(\.address))
        let (summary, capture) = try Self.extract(
            configuration, day: day, dependencies: ExtractFixture.dependencies(), logger: logger)
        try Self.expectGroundTruth(capture.lines, chainID: 25, tokens: tokens.map(\.address), day: day)
        try Self.expectAscendingPerTarget(capture.lines)
        #expect(summary.chains.first?.source == .etherscanTokenTransfers)

        // The busiest sender of the first token, walked as a (token, account) pair.
        let truth = try GroundTruth.compute(
            seed: ExtractFixture.seed, chainID: 25, tokens: [tokens[0].address], from: day, to: day,
            transfersPerDay: ExtractFixture.transfersPerDay)
        let account = try #require(
            truth.dailyAddress.filter { $0.address != SimulatedChain.zeroAddress }.max { $0.sentCount < $1.sentCount }
        ).address
        let byAccount = ExtractFixture.chain(
            name: "cronos", chainID: 25, server: server, tokens: [tokens[0]], accounts: [account])
        let (accountPipeline, accountStage) = ExtractFixture.pipeline(
            chains: [byAccount], kind: .etherscanTokenTransfers)
        let accountConfiguration = try ExtractConfiguration(
            kind: .etherscanTokenTransfers, spec: accountStage, pipeline: accountPipeline)
        let target = try #require(accountConfiguration.chains.first?.targets.first)
        #expect(target.contract == tokens[0].address && target.address == account)
        let (_, accountCapture) = try Self.extract(
            accountConfiguration, day: day, dependencies: ExtractFixture.dependencies(), logger: logger)
        try Self.expectGroundTruth(
            accountCapture.lines, chainID: 25, tokens: [tokens[0].address], day: day, account: account)
        let first = try #require(accountCapture.lines.first)
        #expect(String(decoding: first, as: UTF8.self).contains("\"address\":\"\(account)\""))
    }

    @Test func blockscoutTokenTransfersWithoutKeyEqualGroundTruth() throws {
        let server = try ExtractFixture.startSimulator()
        defer { server.stop() }
        let day = PartitionDay("2026-11-04")!
        let tokens = ExtractFixture.erc20Tokens(chainID: 100, count: 2)
        let chain = ExtractFixture.chain(
            name: "gnosis", chainID: 100, explorer: .blockscout, server: server, keyVariable: nil, tokens: tokens)
        let (pipeline, stage) = ExtractFixture.pipeline(chains: [chain], kind: .blockscout)
        let configuration = try ExtractConfiguration(kind: .blockscout, spec: stage, pipeline: pipeline)
        let (logger, _) = CapturingLogHandler.logger()
        let (summary, capture) = try Self.extract(
            configuration, day: day, dependencies: ExtractFixture.dependencies(environment: [:]), logger: logger)
        try Self.expectGroundTruth(capture.lines, chainID: 100, tokens: tokens.map(\.address), day: day)
        #expect(summary.chains.first?.source == .blockscoutTokenTransfers)
        #expect(capture.text.contains("\"source\":\"blockscout-tokentx\""))
    }

    @Test func openDayIsRefusedUnlessAllowed() throws {
        // The simulator's clock stands at 2026-11-20T12:00:00Z.
        let noon = PartitionDay("2026-11-20")!.startUnixSeconds + 43_200
        let server = try ExtractFixture.startSimulator(fixedNow: noon)
        defer { server.stop() }
        let tokens = ExtractFixture.erc20Tokens(chainID: 1, count: 1)
        let chain = ExtractFixture.chain(server: server, confirmations: 12, tokens: tokens)
        let (pipeline, stage) = ExtractFixture.pipeline(chains: [chain], kind: .etherscanLogs)
        let configuration = try ExtractConfiguration(kind: .etherscanLogs, spec: stage, pipeline: pipeline)
        let (logger, _) = CapturingLogHandler.logger()
        let dependencies = ExtractFixture.dependencies(now: noon)

        let refusal = #expect(throws: ExtractError.self) {
            _ = try Self.extract(
                configuration, day: PartitionDay("2026-11-20")!, dependencies: dependencies, logger: logger)
        }
        let message = try #require(refusal).description
        #expect(message.contains("partition 2026-11-20 is still open on chain ethereum"))
        #expect(message.contains("closes around 2026-11-21T00:"))
        #expect(message.contains("--allow-open"))
        #expect(server.stats.byAction["logs/getlogs"] == nil, "no rows are read for a refused day")

        let (summary, capture) = try Self.extract(
            configuration, day: PartitionDay("2026-11-20")!, allowOpen: true, dependencies: dependencies,
            logger: logger)
        let chainSummary = try #require(summary.chains.first)
        #expect(chainSummary.open)
        #expect(chainSummary.endBlock == chainSummary.head - 12)
        #expect(summary.details["chain.ethereum.open"] == "true")
        for line in capture.lines {
            #expect(try ExtractedTransfer.decode(line: line).blockNumber <= chainSummary.endBlock)
        }

        // A day that has not begun on the chain cannot be extracted even with --allow-open.
        let future = #expect(throws: ExtractError.self) {
            _ = try Self.extract(
                configuration, day: PartitionDay("2026-11-22")!, allowOpen: true, dependencies: dependencies,
                logger: logger)
        }
        #expect(try #require(future).description.contains("has not started on chain ethereum"))
    }

    @Test func missingKeyVariableFailsBeforeAnyCallNamingTheVariable() throws {
        let server = try ExtractFixture.startSimulator()
        defer { server.stop() }
        let chain = ExtractFixture.chain(
            server: server, keyVariable: "CHAINETL_TEST_UNSET_KEY",
            tokens: ExtractFixture.erc20Tokens(chainID: 1, count: 1))
        let (pipeline, stage) = ExtractFixture.pipeline(chains: [chain], kind: .etherscanLogs)
        let configuration = try ExtractConfiguration(kind: .etherscanLogs, spec: stage, pipeline: pipeline)
        let (logger, _) = CapturingLogHandler.logger()
        let error = #expect(throws: ExtractError.self) {
            _ = try Self.extract(
                configuration, day: PartitionDay("2026-11-02")!,
                dependencies: ExtractFixture.dependencies(environment: ["CHAINETL_TEST_UNSET_KEY": ""]), logger: logger)
        }
        let message = try #require(error).description
        #expect(message.contains("environment variable CHAINETL_TEST_UNSET_KEY"))
        #expect(message.contains("chain ethereum"))
        #expect(server.stats.requests == 0)
    }

    @Test func dailyQuotaStopsTheExtractionAndProgressShowsWhatIsLeft() throws {
        let server = try ExtractFixture.startSimulator()
        defer { server.stop() }
        let chain = ExtractFixture.chain(
            server: server, ratePerDay: 6, tokens: ExtractFixture.erc20Tokens(chainID: 1, count: 3))
        let (pipeline, stage) = ExtractFixture.pipeline(chains: [chain], kind: .etherscanLogs)
        let configuration = try ExtractConfiguration(kind: .etherscanLogs, spec: stage, pipeline: pipeline)
        let (logger, _) = CapturingLogHandler.logger()
        let store = InMemoryQuotaStore()
        let capture = ExtractionCapture()
        let extraction = DayExtraction(
            configuration: configuration, day: PartitionDay("2026-11-02")!, allowOpen: false,
            dependencies: ExtractFixture.dependencies(quotaStore: store), logger: logger, hooks: capture.hooks)
        let error = #expect(throws: ExtractError.self) { _ = try extraction.run() }
        #expect(try #require(error).description.contains("daily api quota exhausted"))
        #expect(server.stats.requests == 6, "the seventh call is refused before it is sent")
        let fingerprint = APIKeyFingerprint(apiKey: ExtractFixture.apiKey).value
        let today = PartitionDay(containing: Date(timeIntervalSince1970: TimeInterval(ExtractFixture.pinnedNow)))
        #expect(store.used(fingerprint: fingerprint, day: today) == 7)
        #expect(capture.statuses.contains { $0.quotaLeft == 3 })
        #expect(capture.statuses.last.map { $0.quotaLeft ?? -1 }.map { $0 <= 1 } == true)
    }
}

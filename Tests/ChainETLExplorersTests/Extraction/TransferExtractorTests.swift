import ChainETLCore
import ChainETLTestSupport
import Foundation
import Logging
import Testing

@testable import ChainETLExplorers

@Suite("TransferExtractor against a scripted explorer")
struct TransferExtractorTests {
    /// Everything one extraction run needs, wired to a manual clock (no test ever sleeps).
    final class Harness {
        let server: FakeExplorer
        let clock = ManualClock()
        var events: [ExplorerEvent] = []
        var progress: [ExtractionProgress] = []
        var rows: [RawExplorerRow] = []
        lazy var extractor: TransferExtractor = makeExtractor()
        var source: ExplorerSourceKind = .etherscanTokenTransfers
        var apiKey: String
        var quota: DailyQuotaGate?
        var utilization = 1.0
        var ratePerSecond = 5.0
        var offset = 1000

        init(rowsPerBlock: [Int: Int]) {
            server = FakeExplorer(rowsPerBlock: rowsPerBlock)
            apiKey = server.apiKey
        }

        func makeExtractor() -> TransferExtractor {
            let endpoint = ExplorerEndpoint(
                baseURL: URL(string: source.isBlockscout ? "http://127.0.0.1:1/blockscout/10/api" : "http://127.0.0.1:1/v2/api")!,
                chainID: 10, apiKey: apiKey, sendsChainID: true)
            let bucket = TokenBucket(ratePerSecond: ratePerSecond, utilization: utilization, clock: clock)
            return TransferExtractor(
                source: source, endpoint: endpoint, transport: server, limiter: bucket, quota: quota, offset: offset,
                clock: clock,
                random: SeededRandom(seed: 42), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                currentDate: { Date(timeIntervalSince1970: 1_763_694_000) },
                onEvent: { [unowned self] in self.events.append($0) },
                onProgress: { [unowned self] in self.progress.append($0) })
        }

        @discardableResult
        func run(from: Int, to: Int) throws -> ExtractionProgress {
            let target = try ExtractionTarget(contract: server.contract)
            return try extractor.extract(target: target, fromBlock: from, toBlock: to) { rows.append($0) }
        }

        var extracted: [[UInt8]] { rows.map(\.row.bytes) }
    }

    static func dense(seed: UInt64, blocks: ClosedRange<Int>) -> [Int: Int] {
        var random = SeededRandom(seed: seed)
        var result: [Int: Int] = [:]
        for block in blocks {
            let roll = random.next() % 10
            result[block] = roll < 3 ? 0 : roll < 8 ? Int(random.next() % 60) : Int(random.next() % 700)
        }
        return result
    }

    /// A row with an unreadable blockNumber no longer fails the walk: it is written (normalize
    /// quarantines it) and every other row is still extracted exactly once, in order.
    @Test func rowsWithAnUnreadableBlockNumberAreKeptAndTheWalkStaysExact() throws {
        let blocks = Self.dense(seed: 3, blocks: 1_000...1_200)
        let harness = Harness(rowsPerBlock: blocks)
        let busy = blocks.filter { $0.value > 2 }.keys.sorted()
        try #require(busy.count > 10)
        // First, middle and last row of a few blocks, and the very first row of the range.
        var garbled: Set<String> = ["\(busy[0]):0"]
        for block in busy.prefix(12) {
            let count = blocks[block]!
            garbled.formUnion(["\(block):0", "\(block):\(count / 2)", "\(block):\(count - 1)"])
        }
        harness.server.unreadableBlockNumbers = garbled
        try harness.run(from: 1_000, to: 1_200)

        let truth = harness.server.rows(from: 1_000, to: 1_200)
        let isGarbled: ([UInt8]) -> Bool = { String(decoding: $0, as: UTF8.self).contains("\"n/a\"") }
        #expect(harness.extracted.filter { !isGarbled($0) } == truth.filter { !isGarbled($0) })
        #expect(Set(harness.extracted.filter(isGarbled)) == Set(truth.filter(isGarbled)))
        #expect(truth.filter(isGarbled).count == garbled.count)
    }

    @Test func denseBlocksAreExtractedExactlyOnceInOrder() throws {
        let harness = Harness(rowsPerBlock: Self.dense(seed: 1, blocks: 1_000...1_200))
        let summary = try harness.run(from: 1_000, to: 1_200)
        let truth = harness.server.rows(from: 1_000, to: 1_200)
        #expect(truth.count > 5_000)
        #expect(harness.extracted == truth)
        #expect(summary.rows == truth.count)
        #expect(summary.calls == harness.server.requests.count)
        #expect(harness.extractor.requestCount == harness.server.requests.count)
        for request in harness.server.requests {
            #expect(request["sort"] == "asc")
            #expect((Int(request["page"]!)! * Int(request["offset"]!)!) <= 10_000)
            #expect(Int(request["offset"]!)! <= 1_000)
            #expect(Int(request["endblock"]!)! <= 1_200)
        }
        #expect(harness.progress.last?.blocksDone == 201)
        #expect(harness.progress.last?.rows == truth.count)
    }

    @Test func aBlockLargerThanOneWindowIsPagedWithinTheBlock() throws {
        var blocks = Self.dense(seed: 2, blocks: 50...80)
        blocks[60] = 2_500
        let harness = Harness(rowsPerBlock: blocks)
        try harness.run(from: 50, to: 80)
        #expect(harness.extracted == harness.server.rows(from: 50, to: 80))
        let inBlock = harness.server.requests.filter { $0["startblock"] == "60" && $0["endblock"] == "60" }
        #expect(inBlock.map { $0["page"] } == ["2", "3"])
    }

    @Test func aBlockBeyondTenThousandRowsFailsLoudlyNamingChainTokenAndBlock() throws {
        let harness = Harness(rowsPerBlock: [70: 5, 71: 10_001, 72: 3])
        do {
            try harness.run(from: 70, to: 72)
            Issue.record("a 10,001-row block was extracted")
        } catch let error as ExplorerError {
            guard case .blockTooDense(let chainID, let target, let block, let rowsSeen, _) = error else {
                Issue.record("expected blockTooDense, got \(error)")
                return
            }
            #expect(chainID == 10)
            #expect(target.contains(harness.server.contract))
            #expect(block == 71)
            #expect(rowsSeen == 10_000)
            #expect(error.description.contains("block 71 on chain 10"))
        }
        #expect(harness.server.requests.allSatisfy { Int($0["page"]!)! * Int($0["offset"]!)! <= 10_000 })
    }

    @Test func silentlyCappedPagesAreDetectedAndNothingIsLost() throws {
        let harness = Harness(rowsPerBlock: Self.dense(seed: 3, blocks: 0...150))
        harness.server.pageCap = 500
        try harness.run(from: 0, to: 150)
        #expect(harness.extracted == harness.server.rows(from: 0, to: 150))
        #expect(harness.events.contains { $0.kind == .pageCapDetected && $0.message.contains("at most 500 rows") })
    }

    @Test func aSmallerResultWindowShrinksThePageSize() throws {
        var blocks: [Int: Int] = [:]
        for block in 0...40 { blocks[block] = block * 37 % 200 }
        let harness = Harness(rowsPerBlock: blocks)
        harness.server.resultWindow = 600
        try harness.run(from: 0, to: 40)
        #expect(harness.extracted == harness.server.rows(from: 0, to: 40))
        #expect(harness.events.filter { $0.kind == .pageSizeReduced }.count == 1)
        #expect(harness.server.requests.first?["offset"] == "1000")
        #expect(harness.server.requests.dropFirst().allSatisfy { $0["offset"] == "500" })
    }

    @Test func queryTimeoutsSplitTheWindow() throws {
        let harness = Harness(rowsPerBlock: Self.dense(seed: 5, blocks: 0...300))
        harness.server.queryTimeoutAboveSpan = 40
        try harness.run(from: 0, to: 300)
        #expect(harness.extracted == harness.server.rows(from: 0, to: 300))
        #expect(harness.events.filter { $0.kind == .windowSplit }.count >= 3)
    }

    @Test func faultsAreRetriedAndTheResultStillEqualsTheTruth() throws {
        let harness = Harness(rowsPerBlock: Self.dense(seed: 6, blocks: 0...400))
        var random = SeededRandom(seed: 99)
        let faults: [FakeExplorer.Fault] = [
            .http(503, retryAfter: nil), .http(502, retryAfter: nil), .http(429, retryAfter: "2"), .rateLimitText,
            .busyText, .truncated, .connectionLost, .timeout,
        ]
        let draws: [UInt64] = (0..<2_000).map { _ in random.next() }
        harness.server.fault = { index, _ in
            if index == 3 { return .http(429, retryAfter: "2") }
            let draw = draws[index % draws.count]
            return draw % 10 == 0 ? faults[Int(draw / 10 % UInt64(faults.count))] : nil
        }
        try harness.run(from: 0, to: 400)
        #expect(harness.extracted == harness.server.rows(from: 0, to: 400))
        let retries = harness.events.filter { $0.kind == .retry || $0.kind == .throttled }
        #expect(!retries.isEmpty)
        #expect(harness.events.contains { $0.kind == .throttled })
        #expect(retries.allSatisfy { $0.request?.text.contains("apikey=***") == true })
        // Retry-After: 2 was honoured (some wait of at least 2 s) without the test sleeping.
        #expect(harness.clock.sleeps.contains { $0 >= 2 })
        #expect(harness.extractor.executor.retryCount == retries.count)
    }

    @Test func ourOwnPaceCausesNoServerThrottleAndUsesNinetyPercentOfTheRate() throws {
        var blocks: [Int: Int] = [:]
        for block in 0...2_000 { blocks[block] = block * 7 % 10 }
        let harness = Harness(rowsPerBlock: blocks)
        harness.offset = 100
        harness.ratePerSecond = 3
        harness.utilization = 0.95
        harness.server.clock = harness.clock
        harness.server.serverRatePerSecond = 3
        let start = harness.clock.now()
        try harness.run(from: 0, to: 2_000)
        let elapsed = harness.clock.now() - start
        let calls = Double(harness.server.requests.count)
        #expect(harness.server.throttled == 0)
        #expect(calls > 80)
        #expect((calls - 1) / elapsed >= 0.9 * 3)
        #expect(harness.extracted == harness.server.rows(from: 0, to: 2_000))
    }

    @Test func invalidKeyFailsAtOnceWithTheRedactedRequest() throws {
        let harness = Harness(rowsPerBlock: [1: 1])
        harness.apiKey = "WRONG-KEY-77777"
        do {
            try harness.run(from: 0, to: 5)
            Issue.record("an invalid key extracted rows")
        } catch let error as ExplorerError {
            guard case .invalidAPIKey = error else {
                Issue.record("expected invalidAPIKey, got \(error)")
                return
            }
            #expect(error.description.contains("apikey=***"))
            #expect(!error.description.contains("WRONG-KEY-77777"))
            #expect(error.description.contains("module=account&action=tokentx"))
        }
        #expect(harness.server.requests.count == 1)
    }

    @Test func exhaustedRetriesNameTheLastFailure() throws {
        let harness = Harness(rowsPerBlock: [1: 1])
        harness.server.fault = { _, _ in .http(503, retryAfter: nil) }
        #expect(throws: ExplorerError.self) { try harness.run(from: 0, to: 5) }
        #expect(harness.server.requests.count == RetryPolicy().maximumAttempts)
    }

    @Test func dailyQuotaStopsTheExtraction() throws {
        let harness = Harness(rowsPerBlock: Self.dense(seed: 8, blocks: 0...400))
        let fingerprint = APIKeyFingerprint(apiKey: harness.apiKey)
        harness.quota = DailyQuotaGate(store: InMemoryQuotaStore(), fingerprint: fingerprint, dailyLimit: 2)
        do {
            try harness.run(from: 0, to: 400)
            Issue.record("the quota was ignored")
        } catch let error as ExplorerError {
            guard case .dailyQuotaExhausted(_, _, _, let limit) = error else {
                Issue.record("expected dailyQuotaExhausted, got \(error)")
                return
            }
            #expect(limit == 2)
        }
        #expect(harness.server.requests.count == 2)
    }

    @Test func getLogsWithHexNumbersKeepsLogIndexes() throws {
        let harness = Harness(rowsPerBlock: Self.dense(seed: 9, blocks: 0...60))
        harness.source = .etherscanLogs
        harness.server.hexNumbers = true
        try harness.run(from: 0, to: 60)
        #expect(harness.extracted == harness.server.rows(from: 0, to: 60))
        #expect(harness.server.requests.allSatisfy { $0["action"] == "getLogs" && $0["topic0"] == EtherscanClient.transferTopic })
        #expect(harness.rows.first?.row.logIndex == 0)
    }

    @Test func blockscoutLogsNarrowTheRangeAndRefuseADenseBlock() throws {
        let harness = Harness(rowsPerBlock: [5: 999, 6: 1_000, 7: 2])
        harness.source = .blockscoutLogs
        harness.server.ignoresPage = true
        do {
            try harness.run(from: 5, to: 7)
            Issue.record("a block of 1,000 logs was accepted from an API that cannot page")
        } catch let error as ExplorerError {
            guard case .blockTooDense(_, _, let block, _, _) = error else {
                Issue.record("expected blockTooDense, got \(error)")
                return
            }
            #expect(block == 6)
        }
        #expect(harness.server.requests.allSatisfy { $0["page"] == nil && $0["chainid"] == nil })
    }

    @Test func blockscoutTokentxSendsEveryParameterExplicitly() throws {
        let harness = Harness(rowsPerBlock: Self.dense(seed: 10, blocks: 0...30))
        harness.source = .blockscoutTokenTransfers
        try harness.run(from: 0, to: 30)
        #expect(harness.extracted == harness.server.rows(from: 0, to: 30))
        #expect(harness.server.urls.allSatisfy { $0.hasPrefix("http://127.0.0.1:1/blockscout/10/api?module=account&action=tokentx") })
        #expect(harness.server.requests.allSatisfy { $0["sort"] == "asc" && $0["page"] != nil && $0["offset"] != nil })
    }

    @Test func dayRangeAndClosedness() throws {
        let harness = Harness(rowsPerBlock: [:])
        // Block N is at 1_700_000_000 + 12 N; 2023-11-15 starts at 1_700_006_400.
        let day = try #require(PartitionDay("2023-11-15"))
        let range = try harness.extractor.resolve(day: day)
        #expect(range.firstBlock == 534)  // 1_700_006_400 / 12 rounded up from the genesis offset
        #expect(range.lastBlock == 7_733)  // (86_400 + 6_400 - 1) / 12
        #expect(try harness.extractor.headBlockNumber() == 10_000)
        #expect(range.isClosed(head: 7_745, confirmations: 12))
        #expect(!range.isClosed(head: 7_744, confirmations: 12))
        #expect(!range.isClosed(head: 7_733, confirmations: 0))
        #expect(harness.server.requests.map { $0["closest"] } == ["after", "before", nil])
    }

    @Test func rawLineFormatIsExact() throws {
        let row = ExplorerRow(bytes: Array("{\"blockNumber\":\"7\",\"v\":\"1\"}".utf8), blockNumber: 7, logIndex: nil)
        let raw = RawExplorerRow(
            source: .etherscanLogs, endpoint: "logs/getLogs", contract: "0xabc", address: nil, fromBlock: 100,
            toBlock: 200, page: 1, offset: 1000,
            fetchedAt: UTCTimestamp.iso8601(Date(timeIntervalSince1970: 1_763_694_000.7)), row: row)
        var writer = JSONLineWriter()
        raw.writeLine(into: &writer, chainID: 1)
        #expect(
            String(decoding: writer.bytes, as: UTF8.self)
                == "{\"source\":\"etherscan-logs\",\"chain_id\":1,\"request\":{\"endpoint\":\"logs/getLogs\",\"contract\":\"0xabc\",\"from_block\":100,\"to_block\":200,\"page\":1,\"offset\":1000,\"fetched_at\":\"2025-11-21T03:00:00Z\"},\"row\":{\"blockNumber\":\"7\",\"v\":\"1\"}}\n"
        )
    }

    @Test func rawLinesNeverContainTheKey() throws {
        let harness = Harness(rowsPerBlock: Self.dense(seed: 11, blocks: 0...20))
        try harness.run(from: 0, to: 20)
        var writer = JSONLineWriter()
        for row in harness.rows { row.writeLine(into: &writer, chainID: 10) }
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(!text.contains(harness.apiKey))
        #expect(text.split(separator: "\n").count == harness.rows.count)
        #expect(harness.rows.allSatisfy { $0.contract == harness.server.contract && $0.endpoint == "account/tokentx" })
    }
}

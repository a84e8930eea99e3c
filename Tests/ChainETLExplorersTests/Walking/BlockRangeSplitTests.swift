import Foundation
import Logging
import Testing

@testable import ChainETLExplorers

@Suite("BlockRangeSplit: sub-ranges of a dense walk")
struct BlockRangeSplitTests {
    @Test func densityCountsTheBlocksBeforeTheRestart() {
        #expect(BlockRangeSplit.density(fromBlock: 100, restartBlock: 110, rowsKept: 950) == 95)
        #expect(BlockRangeSplit.density(fromBlock: 100, restartBlock: 100, rowsKept: 950) == nil)
        #expect(BlockRangeSplit.density(fromBlock: 100, restartBlock: 120, rowsKept: 0) == nil)
    }

    @Test func partsAreDisjointContiguousAndInBlockOrder() {
        let blocks = 1_000...8_199
        // 7,200 blocks at 10 rows per block = 72 pages of 1,000: 4 parts of ≥ 16 pages.
        let parts = BlockRangeSplit.parts(of: blocks, rowsPerBlock: 10, pageSize: 1_000, maximumParts: 8)
        #expect(parts.count == 4)
        #expect(parts.first?.lowerBound == blocks.lowerBound)
        #expect(parts.last?.upperBound == blocks.upperBound)
        for (left, right) in zip(parts, parts.dropFirst()) { #expect(left.upperBound + 1 == right.lowerBound) }
        #expect(parts.map(\.count).reduce(0, +) == blocks.count)
    }

    @Test func partsStayWithinTheCapAndNeverSplitASmallWalk() {
        let blocks = 0...99_999
        #expect(BlockRangeSplit.parts(of: blocks, rowsPerBlock: 50, pageSize: 1_000, maximumParts: 8).count == 8)
        #expect(BlockRangeSplit.parts(of: blocks, rowsPerBlock: 50, pageSize: 1_000, maximumParts: 1) == [blocks])
        // 31 pages: one part of 16 would leave the other with 15.
        #expect(BlockRangeSplit.parts(of: 0...30_999, rowsPerBlock: 1, pageSize: 1_000, maximumParts: 8).count == 1)
        #expect(BlockRangeSplit.parts(of: 0...31_999, rowsPerBlock: 1, pageSize: 1_000, maximumParts: 8).count == 2)
        // Never more parts than blocks.
        #expect(BlockRangeSplit.parts(of: 5...7, rowsPerBlock: 1e6, pageSize: 1_000, maximumParts: 8).count == 3)
        #expect(BlockRangeSplit.parts(of: 5...5, rowsPerBlock: 1e6, pageSize: 1_000, maximumParts: 8) == [5...5])
    }

    @Test func minimumCallsIsCeilingOfRowsOverPageSizeAndOneForAnEmptyWalk() {
        #expect(BlockRangeSplit.minimumCalls(rows: 0, pageSize: 1_000) == 1)
        #expect(BlockRangeSplit.minimumCalls(rows: 1, pageSize: 1_000) == 1)
        #expect(BlockRangeSplit.minimumCalls(rows: 1_000, pageSize: 1_000) == 1)
        #expect(BlockRangeSplit.minimumCalls(rows: 1_001, pageSize: 1_000) == 2)
        #expect(BlockRangeSplit.minimumCalls(rows: 120, pageSize: 50) == 3)
    }

    /// A walk cut after its first page, with the rest walked as separate sub-ranges, yields
    /// exactly the rows of the whole walk, in the same order.
    @Test func splitWalkConcatenatesToTheWholeWalk() throws {
        let server = FakeExplorer(rowsPerBlock: TransferExtractorTests.dense(seed: 5, blocks: 2_000...2_600))
        let clock = ManualClock()
        let extractor = TransferExtractor(
            source: .etherscanTokenTransfers,
            endpoint: ExplorerEndpoint(
                baseURL: URL(string: "http://127.0.0.1:1/v2/api")!, chainID: 10, apiKey: server.apiKey,
                sendsChainID: true),
            transport: server, limiter: TokenBucket(ratePerSecond: 5, utilization: 1, clock: clock), clock: clock,
            random: SeededRandom(seed: 3), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let target = try ExtractionTarget(contract: server.contract)
        var rows: [[UInt8]] = []
        var offered: [TransferExtractor.FirstPage] = []
        var parts: [ClosedRange<Int>] = []
        let head = try extractor.extract(
            target: target, fromBlock: 2_000, toBlock: 2_600,
            split: { first in
                offered.append(first)
                parts = BlockRangeSplit.parts(
                    of: first.restartBlock...first.toBlock, rowsPerBlock: 1, pageSize: 1, maximumParts: 4,
                    minimumPagesPerPart: 1)
                return parts[0].upperBound
            }
        ) { rows.append($0.row.bytes) }
        #expect(offered.count == 1, "the split is offered once, after the first page")
        #expect(offered.first?.pageSize == 1_000)
        #expect(parts.count == 4)
        #expect(head.blocksDone == parts[0].upperBound - 2_000 + 1)
        for part in parts.dropFirst() {
            try extractor.extract(target: target, fromBlock: part.lowerBound, toBlock: part.upperBound) {
                rows.append($0.row.bytes)
            }
        }
        let truth = server.rows(from: 2_000, to: 2_600)
        #expect(truth.count > 10_000)
        #expect(rows == truth)
        for request in server.requests {
            #expect((Int(request["page"]!)! * Int(request["offset"]!)!) <= 10_000)
        }
    }
}

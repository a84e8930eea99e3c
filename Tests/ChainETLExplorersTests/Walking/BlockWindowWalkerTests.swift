import Testing

@testable import ChainETLExplorers

@Suite("BlockWindowWalker state machine")
struct BlockWindowWalkerTests {
    typealias Request = BlockWindowWalker.Request

    @Test func emptyRangeFinishesAtOnce() {
        var walker = BlockWindowWalker(startBlock: 10, endBlock: 9)
        #expect(walker.start() == .finished)
    }

    @Test func shortPageAfterAFullOneEndsTheWalk() {
        var walker = BlockWindowWalker(startBlock: 100, endBlock: 200, offset: 4)
        #expect(walker.start() == .fetch(Request(fromBlock: 100, toBlock: 200, page: 1, offset: 4)))
        // Full page: blocks 100, 101, 105, 105 -> emit the rows before block 105, restart AT 105.
        let full = walker.pageArrived(blockNumbers: [100, 101, 105, 105])
        #expect(full.emitCount == 2)
        #expect(full.next == .fetch(Request(fromBlock: 105, toBlock: 200, page: 1, offset: 4)))
        #expect(walker.confirmedPageSize == 4)
        let short = walker.pageArrived(blockNumbers: [105, 105, 150])
        #expect(short.emitCount == 3)
        #expect(short.next == .finished)
    }

    @Test func aShortPageIsCheckedUntilTheServerProvedItsPageSize() {
        var walker = BlockWindowWalker(startBlock: 1, endBlock: 50, offset: 1000)
        _ = walker.start()
        // 3 rows out of 1000 asked: maybe a silent cap of 3. Restart at the last block to check.
        let first = walker.pageArrived(blockNumbers: [2, 7, 9])
        #expect(first.emitCount == 2)
        #expect(first.next == .fetch(Request(fromBlock: 9, toBlock: 50, page: 1, offset: 1000)))
        // Only block 9 again: nothing was cut off, the walk is done and nothing was learned.
        let check = walker.pageArrived(blockNumbers: [9])
        #expect(check.emitCount == 1)
        #expect(check.next == .finished)
        #expect(check.detectedCap == nil)
        #expect(walker.confirmedPageSize == nil)
    }

    @Test func silentCapIsLearnedFromRowsThatFollow() {
        var walker = BlockWindowWalker(startBlock: 1, endBlock: 100, offset: 1000)
        _ = walker.start()
        let first = walker.pageArrived(blockNumbers: [1, 2, 3, 4, 5])
        #expect(first.next == .fetch(Request(fromBlock: 5, toBlock: 100, page: 1, offset: 1000)))
        let second = walker.pageArrived(blockNumbers: [5, 6, 7, 8, 9])
        #expect(second.detectedCap == 5)
        #expect(walker.confirmedPageSize == 5)
        #expect(second.emitCount == 4)
        #expect(second.next == .fetch(Request(fromBlock: 9, toBlock: 100, page: 1, offset: 1000)))
        let last = walker.pageArrived(blockNumbers: [9, 10])
        #expect(last.emitCount == 2)
        #expect(last.next == .finished)
    }

    @Test func oneBlockFillingThePageIsPagedWithinItself() {
        var walker = BlockWindowWalker(startBlock: 10, endBlock: 20, offset: 1000)
        _ = walker.start()
        let first = walker.pageArrived(blockNumbers: Array(repeating: 12, count: 1000))
        #expect(first.emitCount == 1000)
        #expect(first.next == .fetch(Request(fromBlock: 12, toBlock: 12, page: 2, offset: 1000)))
        let second = walker.pageArrived(blockNumbers: Array(repeating: 12, count: 1000))
        #expect(second.next == .fetch(Request(fromBlock: 12, toBlock: 12, page: 3, offset: 1000)))
        let third = walker.pageArrived(blockNumbers: Array(repeating: 12, count: 10))
        #expect(third.emitCount == 10)
        #expect(third.next == .fetch(Request(fromBlock: 13, toBlock: 20, page: 1, offset: 1000)))
    }

    @Test func aBlockBeyondTheResultWindowFailsInsteadOfTruncating() {
        var walker = BlockWindowWalker(startBlock: 10, endBlock: 20, offset: 1000)
        _ = walker.start()
        var outcome = walker.pageArrived(blockNumbers: Array(repeating: 15, count: 1000))
        for page in 2...10 {
            #expect(outcome.next == .fetch(Request(fromBlock: 15, toBlock: 15, page: page, offset: 1000)))
            outcome = walker.pageArrived(blockNumbers: Array(repeating: 15, count: 1000))
        }
        guard case .failed(.blockTooDense(let block, let rowsSeen, _)) = outcome.next else {
            Issue.record("expected blockTooDense, got \(outcome.next)")
            return
        }
        #expect(block == 15)
        #expect(rowsSeen == 10_000)
    }

    @Test func queryTimeoutHalvesTheWindowAndSuccessGrowsItBack() {
        var walker = BlockWindowWalker(startBlock: 0, endBlock: 99, offset: 1000)
        _ = walker.start()
        #expect(walker.queryTimedOut() == .fetch(Request(fromBlock: 0, toBlock: 49, page: 1, offset: 1000)))
        #expect(walker.queryTimedOut() == .fetch(Request(fromBlock: 0, toBlock: 24, page: 1, offset: 1000)))
        let done = walker.pageArrived(blockNumbers: [])
        #expect(done.next == .fetch(Request(fromBlock: 25, toBlock: 74, page: 1, offset: 1000)))
        let more = walker.pageArrived(blockNumbers: [])
        #expect(more.next == .fetch(Request(fromBlock: 75, toBlock: 99, page: 1, offset: 1000)))
    }

    @Test func queryTimeoutOnOneBlockCannotSplit() {
        var walker = BlockWindowWalker(startBlock: 5, endBlock: 5)
        _ = walker.start()
        #expect(walker.queryTimedOut() == nil)
    }

    @Test func resultWindowErrorHalvesThePageSize() {
        var walker = BlockWindowWalker(startBlock: 0, endBlock: 9, offset: 1000)
        _ = walker.start()
        #expect(walker.resultWindowExceeded() == .fetch(Request(fromBlock: 0, toBlock: 9, page: 1, offset: 500)))
    }

    @Test func rowsOutsideTheWindowOrUnorderedFail() {
        var walker = BlockWindowWalker(startBlock: 10, endBlock: 20)
        _ = walker.start()
        guard case .failed(.rowsOutOfOrder) = walker.pageArrived(blockNumbers: [12, 11]).next else {
            Issue.record("unordered rows accepted")
            return
        }
        var other = BlockWindowWalker(startBlock: 10, endBlock: 20)
        _ = other.start()
        guard case .failed(.rowsOutOfOrder) = other.pageArrived(blockNumbers: [25]).next else {
            Issue.record("row outside the window accepted")
            return
        }
    }

    @Test func noPagingWithinBlockMeansADenseBlockFails() {
        var walker = BlockWindowWalker(startBlock: 1, endBlock: 9, pagesWithinBlock: false)
        _ = walker.start()
        guard case .failed(.blockTooDense(let block, _, _)) = walker.pageArrived(blockNumbers: Array(repeating: 3, count: 1000)).next
        else {
            Issue.record("a dense block was accepted without paging")
            return
        }
        #expect(block == 3)
    }

    @Test func neverRequestsBeyondTheResultWindow() {
        // Pages of 700 rows: page 14 would ask for 9,800 rows; page 15 (10,500) is never requested.
        var walker = BlockWindowWalker(startBlock: 1, endBlock: 1, offset: 700)
        var action = walker.start()
        var requested: [Request] = []
        while case .fetch(let request) = action {
            requested.append(request)
            action = walker.pageArrived(blockNumbers: Array(repeating: 1, count: 700)).next
        }
        #expect(requested.allSatisfy { $0.page * $0.offset <= 10_000 })
        #expect(requested.last?.page == 14)
        guard case .failed(.blockTooDense) = action else {
            Issue.record("expected failure, got \(action)")
            return
        }
    }
}

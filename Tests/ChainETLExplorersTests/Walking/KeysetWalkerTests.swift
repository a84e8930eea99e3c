import Testing

@testable import ChainETLExplorers

@Suite("KeysetWalker")
struct KeysetWalkerTests {
    /// Items of `(block, log index)` as a page would carry them.
    static func items(_ keys: [(Int, Int?)]) -> [ExplorerRow] {
        keys.map { ExplorerRow(bytes: Array("{}".utf8), blockNumber: $0.0, logIndex: $0.1) }
    }

    static func cursor(_ block: Int, _ index: Int, _ count: Int) -> [QueryParameter] {
        [
            QueryParameter("block_number", String(block)), QueryParameter("index", String(index)),
            QueryParameter("items_count", String(count)),
        ]
    }

    @Test func emptyRangeSendsNothing() {
        var walker = KeysetWalker(startBlock: 10, endBlock: 9)
        #expect(walker.start() == .finished)
    }

    @Test func firstRequestSeeksBelowTheEndBlock() {
        var walker = KeysetWalker(startBlock: 100, endBlock: 200)
        #expect(
            walker.start() == .fetch(cursor: [QueryParameter("block_number", "201"), QueryParameter("index", "0")]))
        var unseeking = KeysetWalker(startBlock: 100, endBlock: 200, seeksFirstPage: false)
        #expect(unseeking.start() == .fetch(cursor: nil))
    }

    @Test func cursorsGoBackVerbatimAndItemsAreClippedToTheRange() {
        var walker = KeysetWalker(startBlock: 100, endBlock: 103)
        _ = walker.start()
        // A server that ignored the seek: items above 103 come first and are dropped.
        let first = walker.pageArrived(
            items: Self.items([(105, 2), (105, 0), (104, 7), (103, 4), (103, 1)]),
            next: Self.cursor(103, 1, 5) + [QueryParameter("extra", "kept as sent")])
        #expect(first.kept == 3..<5)
        #expect(first.next == .fetch(cursor: Self.cursor(103, 1, 5) + [QueryParameter("extra", "kept as sent")]))
        #expect(walker.remainingBlocks == 4)

        let second = walker.pageArrived(items: Self.items([(103, 0), (101, 3)]), next: Self.cursor(101, 3, 7))
        #expect(second.kept == 0..<2)
        #expect(walker.remainingBlocks == 2)

        // The first item below 100 ends the walk; the later ones are never kept.
        let third = walker.pageArrived(
            items: Self.items([(101, 0), (100, 9), (99, 5), (98, 1)]), next: Self.cursor(98, 1, 11))
        #expect(third.kept == 0..<2)
        #expect(third.next == .finished)
        #expect(walker.remainingBlocks == 0)
        #expect(walker.pages == 3)
    }

    @Test func aNullCursorIsTheLastPage() {
        var walker = KeysetWalker(startBlock: 0, endBlock: 50)
        _ = walker.start()
        let last = walker.pageArrived(items: Self.items([(12, 1), (3, 0)]), next: nil)
        #expect(last.kept == 0..<2)
        #expect(last.next == .finished)
        #expect(walker.remainingBlocks == 0)
    }

    @Test func shortAndEmptyPagesWithACursorAreFollowed() {
        var walker = KeysetWalker(startBlock: 1_000, endBlock: 50_000)
        _ = walker.start()
        let empty = walker.pageArrived(items: [], next: Self.cursor(30_001, 0, 0))
        #expect(empty.kept == 0..<0)
        #expect(empty.next == .fetch(cursor: Self.cursor(30_001, 0, 0)))
        #expect(walker.remainingBlocks == 29_002)
        let short = walker.pageArrived(items: Self.items([(20_000, 3)]), next: Self.cursor(10_001, 0, 1))
        #expect(short.kept == 0..<1)
        #expect(short.next == .fetch(cursor: Self.cursor(10_001, 0, 1)))
    }

    @Test func aCursorBelowTheStartEndsTheWalkWithoutAnotherCall() {
        var walker = KeysetWalker(startBlock: 1_000, endBlock: 2_000)
        _ = walker.start()
        let outcome = walker.pageArrived(items: Self.items([(1_500, 0)]), next: Self.cursor(999, 0, 1))
        #expect(outcome.kept == 0..<1)
        #expect(outcome.next == .finished)
        // At the start block itself, logs below the cursor's index may remain: keep walking.
        var atStart = KeysetWalker(startBlock: 1_000, endBlock: 2_000)
        _ = atStart.start()
        #expect(
            atStart.pageArrived(items: Self.items([(1_000, 8)]), next: Self.cursor(1_000, 8, 1)).next
                == .fetch(cursor: Self.cursor(1_000, 8, 1)))
    }

    @Test func itemsOutOfDescendingOrderFailTheWalk() {
        var walker = KeysetWalker(startBlock: 0, endBlock: 100)
        _ = walker.start()
        let inPage = walker.pageArrived(items: Self.items([(50, 1), (50, 1)]), next: nil)
        guard case .failed(let reason) = inPage.next else {
            Issue.record("a repeated item was accepted")
            return
        }
        #expect(reason.contains("block 50, log index 1"))
        #expect(inPage.kept.isEmpty)

        var across = KeysetWalker(startBlock: 0, endBlock: 100)
        _ = across.start()
        _ = across.pageArrived(items: Self.items([(60, 4), (40, 2)]), next: Self.cursor(40, 2, 2))
        // The server repeats its page instead of continuing below the cursor.
        if case .failed = across.pageArrived(items: Self.items([(60, 4), (40, 2)]), next: Self.cursor(20, 0, 4)).next {
        } else {
            Issue.record("a page above the cursor was accepted")
        }
    }

    @Test func aMissingLogIndexOrAStuckCursorFailsTheWalk() {
        var walker = KeysetWalker(startBlock: 0, endBlock: 100)
        _ = walker.start()
        if case .failed(let reason) = walker.pageArrived(items: Self.items([(9, nil)]), next: nil).next {
            #expect(reason.contains("no log_index"))
        } else {
            Issue.record("an item without log_index was accepted")
        }

        var stuck = KeysetWalker(startBlock: 0, endBlock: 100)
        _ = stuck.start()
        _ = stuck.pageArrived(items: [], next: Self.cursor(80, 0, 0))
        if case .failed(let reason) = stuck.pageArrived(items: [], next: Self.cursor(80, 0, 0)).next {
            #expect(reason.contains("did not change"))
        } else {
            Issue.record("a cursor that does not move was followed")
        }
    }
}

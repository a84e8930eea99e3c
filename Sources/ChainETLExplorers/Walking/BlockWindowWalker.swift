/// Walks a block range through an explorer's paged API as a pure state machine.
///
/// Every request is `page=1` of the window `[next, end]` with `sort=asc`, so the result is never
/// deeper than one page. When a page comes back full, the rows of the blocks before the page's last
/// block are emitted and the next window starts *at* that last block (not +1): the window may have
/// cut it in half, so its rows are dropped and fetched again. Every block is therefore emitted
/// exactly once, with no overlap to dedupe.
///
/// - A block alone filling a page is paged within itself (`[B, B]`, pages 2…) while
///   `page × offset ≤ 10,000`; beyond that the walk fails rather than truncate.
/// - A server that silently honours fewer rows than `offset` is detected: a short page is only
///   trusted as the end once the server has shown it can return more rows than that; otherwise the
///   walker restarts at the page's last block to check, and learns the cap if rows follow.
/// - "Query Timeout" halves the window; later successes grow it back.
///
/// The caller does the I/O: it sends each `.fetch`, then reports with `pageArrived(blockNumbers:)`,
/// `queryTimedOut()` or `resultWindowExceeded()`, and emits the first `emitCount` rows.
public struct BlockWindowWalker: Sendable {
    /// One request to send: `page` of `[fromBlock, toBlock]` with `offset` rows per page.
    public struct Request: Equatable, Hashable, Sendable, CustomStringConvertible {
        public var fromBlock: Int
        public var toBlock: Int
        public var page: Int
        public var offset: Int

        public init(fromBlock: Int, toBlock: Int, page: Int, offset: Int) {
            self.fromBlock = fromBlock
            self.toBlock = toBlock
            self.page = page
            self.offset = offset
        }

        public var description: String { "blocks \(fromBlock)...\(toBlock) page \(page) offset \(offset)" }
    }

    /// Why a walk cannot go on.
    public enum Failure: Equatable, Sendable {
        /// `block` holds more rows than the API can page through; `rowsSeen` were read.
        case blockTooDense(block: Int, rowsSeen: Int, reason: String)
        /// The page's rows are outside the requested window or not in ascending block order.
        case rowsOutOfOrder(String)
    }

    /// What the caller does next.
    public enum Action: Equatable, Sendable {
        case fetch(Request)
        case finished
        case failed(Failure)
    }

    /// The answer to a page: how many of its leading rows to emit, and what to do next.
    public struct PageOutcome: Equatable, Sendable {
        public var emitCount: Int
        public var next: Action
        /// A newly detected silent page cap, for an event.
        public var detectedCap: Int?
    }

    /// `page × offset` limit of the Etherscan family and Blockscout.
    public static let resultWindow = 10_000

    public let startBlock: Int
    public let endBlock: Int
    private let pagesWithinBlock: Bool
    private(set) public var offset: Int
    /// Rows per page the server is known to honour (learned: `offset`, or a detected silent cap).
    private(set) public var confirmedPageSize: Int?
    /// The most rows any page returned: the server's cap is at least this.
    private(set) public var largestPage: Int
    /// The first block not yet emitted.
    private(set) public var nextBlock: Int
    /// Pages answered so far.
    private(set) public var pagesDone = 0
    private var span: Int?
    private var pending: Request?
    private var blockPaging: (block: Int, pageSize: Int, rowsSeen: Int)?
    private var suspectedCap: (lastBlock: Int, count: Int)?

    /// - Parameters:
    ///   - offset: rows asked per page, at most 1,000.
    ///   - pagesWithinBlock: false when the API ignores `page` (Blockscout getLogs): a block that
    ///     fills a page then fails the walk.
    ///   - knownPageSize: a page size the server was already seen to honour (e.g. by an earlier
    ///     walk against the same explorer), which saves the check of short pages.
    ///   - largestPageSeen: the most rows an earlier walk against the same explorer got in one
    ///     page: a shorter page is then the real end, without a check call.
    public init(
        startBlock: Int, endBlock: Int, offset: Int = 1000, pagesWithinBlock: Bool = true, knownPageSize: Int? = nil,
        largestPageSeen: Int = 0
    ) {
        self.startBlock = startBlock
        self.endBlock = endBlock
        let offset = max(1, min(offset, 1000))
        self.offset = offset
        self.pagesWithinBlock = pagesWithinBlock
        self.confirmedPageSize = knownPageSize.map { min($0, offset) }
        self.largestPage = max(knownPageSize ?? 0, largestPageSeen)
        self.nextBlock = startBlock
    }

    /// The first action of the walk.
    public mutating func start() -> Action {
        nextWindow()
    }

    /// Blocks left to walk (including the one being fetched).
    public var remainingBlocks: Int { max(0, endBlock - nextBlock + 1) }

    /// The server answered the pending request with rows in these blocks (in the order received).
    public mutating func pageArrived(blockNumbers: [Int]) -> PageOutcome {
        guard let request = pending else {
            return PageOutcome(emitCount: 0, next: .failed(.rowsOutOfOrder("a page arrived with no request pending")))
        }
        pagesDone += 1
        var previous = request.fromBlock
        for block in blockNumbers {
            guard block >= previous, block <= request.toBlock else {
                pending = nil
                return PageOutcome(
                    emitCount: 0,
                    next: .failed(
                        .rowsOutOfOrder(
                            "row in block \(block) after block \(previous) for \(request)")))
            }
            previous = block
        }
        let count = blockNumbers.count

        if let paging = blockPaging {
            return pageWithinBlock(count: count, paging: paging, request: request)
        }

        var detectedCap: Int?
        if let suspected = suspectedCap, request.fromBlock == suspected.lastBlock {
            suspectedCap = nil
            if blockNumbers.contains(where: { $0 > suspected.lastBlock }) {
                // Rows the previous short page left out: the server caps pages at that count.
                confirmedPageSize = suspected.count
                detectedCap = suspected.count
            }
        }
        let largestBefore = largestPage
        largestPage = max(largestPage, count)

        let full: Bool
        if count == 0 {
            full = false
        } else if count >= request.offset {
            full = true
            if confirmedPageSize == nil || confirmedPageSize! < request.offset { confirmedPageSize = request.offset }
        } else if let confirmed = confirmedPageSize {
            full = count >= confirmed
        } else if count < largestBefore {
            full = false  // the server has returned more rows before: this page is the real end
        } else {
            full = true  // maybe a silent cap: restart at the last block to check
            suspectedCap = (blockNumbers[count - 1], count)
        }

        guard full, let first = blockNumbers.first, let last = blockNumbers.last else {
            nextBlock = request.toBlock + 1
            growSpan()
            return PageOutcome(emitCount: count, next: nextWindow(), detectedCap: detectedCap)
        }
        if first == last {
            // One block fills the page: page within it. Rows before it in the window do not exist,
            // so this page is page 1 of [last, last] with `count` rows per page.
            suspectedCap = nil
            guard pagesWithinBlock else {
                pending = nil
                return PageOutcome(
                    emitCount: 0,
                    next: .failed(
                        .blockTooDense(
                            block: last, rowsSeen: count,
                            reason: "the api ignores page, so a block with \(count) or more rows cannot be read")),
                    detectedCap: detectedCap)
            }
            nextBlock = last
            blockPaging = (last, count, count)
            return PageOutcome(
                emitCount: count, next: nextPageWithinBlock(block: last, page: 2, pageSize: count, rowsSeen: count),
                detectedCap: detectedCap)
        }
        let emitCount = blockNumbers.firstIndex(of: last) ?? count
        nextBlock = last
        return PageOutcome(emitCount: emitCount, next: nextWindow(), detectedCap: detectedCap)
    }

    /// The server answered "Query Timeout": the pending window is halved. Nil when the window is a
    /// single block (or a page within one) and cannot shrink: retry it with backoff instead.
    public mutating func queryTimedOut() -> Action? {
        guard let request = pending, blockPaging == nil, request.toBlock > request.fromBlock else { return nil }
        span = max(1, (request.toBlock - request.fromBlock + 1) / 2)
        return nextWindow()
    }

    /// The server refused `page × offset` as too large for its result window.
    public mutating func resultWindowExceeded() -> Action {
        guard let request = pending else { return .failed(.rowsOutOfOrder("no request pending")) }
        if let paging = blockPaging {
            pending = nil
            return .failed(
                .blockTooDense(
                    block: paging.block, rowsSeen: paging.rowsSeen,
                    reason: "the explorer's result window ended at page \(request.page) of \(paging.pageSize) rows"))
        }
        guard offset > 1 else {
            pending = nil
            return .failed(.blockTooDense(block: request.fromBlock, rowsSeen: 0, reason: "the explorer refuses even one row per page"))
        }
        offset = max(1, offset / 2)
        if let confirmed = confirmedPageSize, confirmed > offset { confirmedPageSize = offset }
        return nextWindow()
    }

    // MARK: - Private

    private mutating func pageWithinBlock(count: Int, paging: (block: Int, pageSize: Int, rowsSeen: Int), request: Request)
        -> PageOutcome
    {
        let rowsSeen = paging.rowsSeen + count
        guard count >= paging.pageSize else {
            blockPaging = nil
            nextBlock = paging.block + 1
            return PageOutcome(emitCount: count, next: nextWindow())
        }
        blockPaging = (paging.block, paging.pageSize, rowsSeen)
        return PageOutcome(
            emitCount: count,
            next: nextPageWithinBlock(block: paging.block, page: request.page + 1, pageSize: paging.pageSize, rowsSeen: rowsSeen))
    }

    private mutating func nextPageWithinBlock(block: Int, page: Int, pageSize: Int, rowsSeen: Int) -> Action {
        guard page * pageSize <= Self.resultWindow else {
            pending = nil
            blockPaging = nil
            return .failed(
                .blockTooDense(
                    block: block, rowsSeen: rowsSeen,
                    reason: "pages of \(pageSize) rows reach the \(Self.resultWindow)-row result window"))
        }
        let request = Request(fromBlock: block, toBlock: block, page: page, offset: pageSize)
        pending = request
        return .fetch(request)
    }

    private mutating func nextWindow() -> Action {
        guard nextBlock <= endBlock else {
            pending = nil
            return .finished
        }
        let to = span.map { min(endBlock, nextBlock + $0 - 1) } ?? endBlock
        let request = Request(fromBlock: nextBlock, toBlock: to, page: 1, offset: offset)
        pending = request
        return .fetch(request)
    }

    private mutating func growSpan() {
        guard let current = span else { return }
        let grown = current.multipliedReportingOverflow(by: 2)
        span = grown.overflow || nextBlock + grown.partialValue > endBlock ? nil : grown.partialValue
    }
}

import ChainETLCore
import Foundation
import Logging

/// Extracts the transfer rows of one chain and source kind, block range by block range.
///
/// Drives `BlockWindowWalker` with an `ExplorerClient` through an `ExplorerRequestExecutor`
/// (shared token bucket, daily quota, retries) and hands every row to the sink exactly once, in
/// ascending block order, with the request metadata of the raw checkpoint line. Blockscout REST v2
/// (`.blockscoutV2`) has no block windows: `KeysetWalker` follows its cursors newest first and the
/// rows are put back in ascending order through a temporary file (`TransferExtractor+Keyset`).
/// Blocking: run it on worker threads. Several threads may walk different targets or block
/// sub-ranges with one extractor at once (its executor's counters are locked; the page size
/// learned is shared under a lock); each call keeps its own walker.
public final class TransferExtractor: @unchecked Sendable {
    /// What a walk tells its caller after its first full page, to decide whether to split it.
    public struct FirstPage: Equatable, Sendable {
        /// The walk's first block, and the block its next window restarts at (the page's last,
        /// whose rows were dropped to be read again).
        public var fromBlock: Int
        public var restartBlock: Int
        /// The walk's last block.
        public var toBlock: Int
        /// Rows kept from the page (those of the blocks before `restartBlock`).
        public var rowsKept: Int
        /// Rows per full page.
        public var pageSize: Int
    }

    public let source: ExplorerSourceKind
    public let client: any ExplorerClient
    public let executor: ExplorerRequestExecutor
    /// Rows asked per page (≤ 1,000).
    public let offset: Int
    let retryPolicy: RetryPolicy
    let logger: Logger
    let currentDate: () -> Date
    let onEvent: (ExplorerEvent) -> Void
    let onProgress: (ExtractionProgress) -> Void
    /// Where Blockscout v2 walks spill their rows to reverse them (nil: the system temporary directory).
    let spillDirectory: URL?
    /// The page size the server was seen to honour, carried from one walk to the next.
    private var learnedPageSize: Int?
    /// The most rows one page of any walk returned.
    private var largestPageSeen = 0
    private let pageSizeLock = NSLock()
    private var knownPageSize: Int? {
        get { pageSizeLock.withLock { learnedPageSize } }
        set { pageSizeLock.withLock { learnedPageSize = newValue } }
    }

    /// Rows per full page: the size the server was seen to honour, else `offset`.
    public var pageCapacity: Int { knownPageSize ?? offset }

    /// - Parameters:
    ///   - endpoint: base URL, chain id and the API key *value* (read by the caller from the env
    ///     var named in the config).
    ///   - limiter: the key's bucket from `RateLimiterRegistry.shared`.
    ///   - quota: the key's daily quota counter, if the chain has `per_day`.
    ///   - onEvent: retries, throttles, window splits, page-size changes (for `etl_events`).
    ///   - onProgress: called after every page.
    ///   - spillDirectory: where a Blockscout v2 walk keeps its rows until it can write them oldest
    ///     first (an unlinked temporary file; nil means the system temporary directory).
    public init(
        source: ExplorerSourceKind, endpoint: ExplorerEndpoint, transport: any HTTPTransport, limiter: TokenBucket,
        quota: DailyQuotaGate? = nil, offset: Int = 1000, retryPolicy: RetryPolicy = RetryPolicy(),
        clock: any MonotonicClock = SystemMonotonicClock(),
        random: any RandomNumberGenerator = SystemRandomNumberGenerator(), logger: Logger,
        currentDate: @escaping () -> Date = { Date() },
        onEvent: @escaping (ExplorerEvent) -> Void = { _ in },
        onProgress: @escaping (ExtractionProgress) -> Void = { _ in },
        spillDirectory: URL? = nil, inFlight: InFlightLimit? = nil
    ) {
        self.source = source
        self.spillDirectory = spillDirectory
        self.client = source.isBlockscout ? BlockscoutClient(endpoint: endpoint) : EtherscanClient(endpoint: endpoint)
        self.offset = max(1, min(offset, 1000))
        self.retryPolicy = retryPolicy
        self.logger = logger
        self.currentDate = currentDate
        self.onEvent = onEvent
        self.onProgress = onProgress
        self.executor = ExplorerRequestExecutor(
            transport: transport, limiter: limiter, quota: quota, retryPolicy: retryPolicy, clock: clock,
            random: random, secret: endpoint.apiKey, logger: logger, currentDate: currentDate, onEvent: onEvent,
            inFlight: inFlight)
    }

    /// HTTP calls sent so far by this extractor, retries included.
    public var requestCount: Int { executor.requestCount }

    /// The chain head as the explorer sees it.
    public func headBlockNumber() throws -> Int {
        try client.headBlockNumber(using: executor)
    }

    /// The day's block range, via `getblocknobytime`.
    public func resolve(day: PartitionDay) throws -> DayBlockRange {
        try DayBlockRange.resolve(day: day, client: client, executor: executor)
    }

    /// One end of the day's block range, via `getblocknobytime` (safe to call concurrently).
    public func dayBoundary(_ day: PartitionDay, _ boundary: DayBlockRange.Boundary) throws -> Int {
        try DayBlockRange.boundary(boundary, of: day, client: client, executor: executor)
    }

    /// Sends every row of `target` in `[fromBlock, toBlock]` to `sink`, ascending, each block once.
    ///
    /// `toBlock` must already be at or below head − confirmations: the walk never moves it, except
    /// that `split` may shorten it. Throws the first fatal `ExplorerError` (or the sink's error);
    /// the rows already sunk are then incomplete and the caller discards its output.
    ///
    /// - Parameters:
    ///   - progress: called after every page instead of the extractor's `onProgress` (so that
    ///     concurrent walks can be told apart).
    ///   - split: called once, when the walk's first page came back full (not for a block paged
    ///     within itself); it may return a new last block in `[restartBlock, toBlock]`: the walk
    ///     then stops there and the caller walks the rest itself. Every window rule holds inside
    ///     the shortened walk, which starts again at `restartBlock`.
    @discardableResult
    public func extract(
        target: ExtractionTarget, fromBlock: Int, toBlock: Int,
        progress onPage: ((ExtractionProgress) -> Void)? = nil, split: ((FirstPage) -> Int?)? = nil,
        sink: (RawExplorerRow) throws -> Void
    ) throws -> ExtractionProgress {
        let onProgress = onPage ?? self.onProgress
        if source == .blockscoutV2 {
            return try extractKeyset(
                target: target, fromBlock: fromBlock, toBlock: toBlock, onProgress: onProgress, sink: sink)
        }
        let callsBefore = executor.requestCount
        var progress = ExtractionProgress(
            source: source, target: target.description, blocksTotal: max(0, toBlock - fromBlock + 1))
        var walker = BlockWindowWalker(
            startBlock: fromBlock, endBlock: toBlock, offset: offset, pagesWithinBlock: source.pagesWithinBlock,
            knownPageSize: knownPageSize, largestPageSeen: pageSizeLock.withLock { largestPageSeen })
        var unsplittable = retryPolicy
        var splitOffered = false
        var action = walker.start()
        logger.debug(
            "explorer extraction started",
            metadata: [
                "explorer.source": "\(source)", "explorer.target": "\(target)",
                "blocks.from": "\(fromBlock)", "blocks.to": "\(toBlock)",
            ])
        while true {
            switch action {
            case .finished:
                let learned = walker.confirmedPageSize
                let largest = walker.largestPage
                pageSizeLock.withLock {
                    if let learned { learnedPageSize = learned }
                    largestPageSeen = max(largestPageSeen, largest)
                }
                progress.calls = executor.requestCount - callsBefore
                progress.blocksDone = progress.blocksTotal
                progress.estimatedRemainingCalls = 0
                return progress
            case .failed(let failure):
                throw error(for: failure, target: target, window: walker)
            case .fetch(let window):
                let request = try client.transfersRequest(source: source, target: target, window: window)
                let fetchedAt = UTCTimestamp.iso8601(currentDate())
                let rows: [ExplorerRow]
                do {
                    rows = try executor.perform(request) { response in
                        try ExplorerResponseParser.rows(
                            from: response, request: request.redacted, secret: client.endpoint.apiKey)
                    }
                } catch ExplorerError.queryTimeout(let text, let redacted) {
                    let failure = ExplorerError.queryTimeout(text, request: redacted)
                    if let next = walker.queryTimedOut() {
                        onEvent(
                            ExplorerEvent(
                                kind: .windowSplit, message: "query timeout on \(window); window split",
                                request: redacted))
                        action = next
                    } else {
                        // A single block cannot shrink: treat the timeout as transient load.
                        let transient = ExplorerError.temporarilyUnavailable(text, request: redacted)
                        do {
                            try executor.waitBeforeRetry(after: transient, policy: &unsplittable, request: request)
                        } catch {
                            throw ExplorerError.retriesExhausted(attempts: unsplittable.failures, last: failure)
                        }
                    }
                    continue
                } catch ExplorerError.resultWindowTooLarge(_, let redacted) {
                    action = walker.resultWindowExceeded()
                    onEvent(
                        ExplorerEvent(
                            kind: .pageSizeReduced,
                            message: "result window too large for \(window); page size now \(walker.offset)",
                            request: redacted))
                    continue
                }
                unsplittable.succeeded()
                var outcome = walker.pageArrived(
                    blockNumbers: ExplorerRow.windowBlocks(of: rows, fromBlock: window.fromBlock))
                if let cap = outcome.detectedCap {
                    onEvent(
                        ExplorerEvent(
                            kind: .pageCapDetected,
                            message: "explorer returns at most \(cap) rows per page although \(window.offset) were asked",
                            request: request.redacted))
                }
                if case .failed(let failure) = outcome.next {
                    throw error(for: failure, target: target, window: walker, request: request.redacted)
                }
                for row in rows.prefix(outcome.emitCount) {
                    try sink(
                        RawExplorerRow(
                            source: source, endpoint: source.endpoint, contract: target.contract,
                            address: target.address, fromBlock: window.fromBlock, toBlock: window.toBlock,
                            page: window.page, offset: window.offset, fetchedAt: fetchedAt, row: row))
                }
                progress.rows += outcome.emitCount
                progress.windowsDone += 1
                let firstPage = !splitOffered
                splitOffered = true
                if let split, firstPage, case .fetch(let next) = outcome.next, next.page == 1,
                    next.fromBlock > window.fromBlock,
                    let cap = walker.confirmedPageSize, rows.count >= cap,
                    let end = split(
                        FirstPage(
                            fromBlock: window.fromBlock, restartBlock: next.fromBlock, toBlock: walker.endBlock,
                            rowsKept: outcome.emitCount, pageSize: cap)),
                    end >= next.fromBlock, end < walker.endBlock
                {
                    // The rest of the range is walked by the caller; this walk keeps [restart, end].
                    walker = BlockWindowWalker(
                        startBlock: next.fromBlock, endBlock: end, offset: walker.offset,
                        pagesWithinBlock: source.pagesWithinBlock, knownPageSize: cap,
                        largestPageSeen: walker.largestPage)
                    progress.blocksTotal = end - fromBlock + 1
                    outcome.next = walker.start()
                }
                progress.pageDone(calls: executor.requestCount - callsBefore, remainingBlocks: walker.remainingBlocks)
                onProgress(progress)
                action = outcome.next
            }
        }
    }

    private func error(
        for failure: BlockWindowWalker.Failure, target: ExtractionTarget, window walker: BlockWindowWalker,
        request: RedactedURL? = nil
    ) -> ExplorerError {
        switch failure {
        case .blockTooDense(let block, let rowsSeen, let reason):
            return .blockTooDense(
                chainID: client.endpoint.chainID, target: "\(source) \(target)", block: block, rowsSeen: rowsSeen,
                reason: reason)
        case .rowsOutOfOrder(let reason):
            return .unexpectedRows(reason, request: request ?? RedactedURL(client.endpoint.baseURL))
        }
    }
}

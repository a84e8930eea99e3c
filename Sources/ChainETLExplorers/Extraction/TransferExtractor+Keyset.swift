import ChainETLCore
import Foundation

/// Blockscout REST v2 extraction: keyset cursors newest first, rows written oldest first.
extension TransferExtractor {
    /// Walks `target`'s v2 list over `[fromBlock, toBlock]` with `KeysetWalker`, every page through
    /// the executor (token bucket, daily quota, retries, redaction), keeps the items in range in a
    /// `ReversingRowSpill`, then hands them to `sink` in ascending `(block_number, log_index)`.
    ///
    /// Nothing reaches the sink before the walk has finished, so a failed walk sinks no row.
    func extractKeyset(
        target: ExtractionTarget, fromBlock: Int, toBlock: Int, onProgress: (ExtractionProgress) -> Void,
        sink: (RawExplorerRow) throws -> Void
    ) throws -> ExtractionProgress {
        guard let blockscout = client as? BlockscoutClient else {
            throw ExplorerError.invalidConfiguration("blockscout-v2 needs a blockscout chain, not etherscan")
        }
        guard target.contract != nil || target.address != nil else {
            throw ExplorerError.invalidConfiguration("blockscout-v2 needs a token contract or an account")
        }
        let callsBefore = executor.requestCount
        var progress = ExtractionProgress(
            source: source, target: target.description, blocksTotal: max(0, toBlock - fromBlock + 1))
        var walker = KeysetWalker(startBlock: fromBlock, endBlock: toBlock)
        let spill = try ReversingRowSpill(directory: spillDirectory)
        var unsplittable = retryPolicy
        var lastRequest: HTTPRequest?
        var action = walker.start()
        logger.debug(
            "explorer keyset extraction started",
            metadata: [
                "explorer.source": "\(source)", "explorer.target": "\(target)",
                "blocks.from": "\(fromBlock)", "blocks.to": "\(toBlock)",
            ])
        walk: while true {
            switch action {
            case .finished:
                break walk
            case .failed(let reason):
                throw ExplorerError.unexpectedRows(
                    "blockscout v2 keyset paging: \(reason)",
                    request: lastRequest?.redacted ?? RedactedURL(blockscout.endpoint.baseURL))
            case .fetch(let cursor):
                let request = blockscout.tokenTransfersV2Request(target: target, cursor: cursor)
                lastRequest = request
                let fetchedAt = Int(currentDate().timeIntervalSince1970.rounded(.down))
                let page: BlockscoutV2Page
                do {
                    page = try executor.perform(request) { response in
                        try ExplorerResponseParser.blockscoutV2Page(
                            from: response, request: request.redacted, secret: blockscout.endpoint.apiKey)
                    }
                } catch ExplorerError.queryTimeout(let text, let redacted) {
                    // A keyset page cannot be split: treat the timeout as transient load.
                    do {
                        try executor.waitBeforeRetry(
                            after: .temporarilyUnavailable(text, request: redacted), policy: &unsplittable,
                            request: request)
                    } catch {
                        throw ExplorerError.retriesExhausted(
                            attempts: unsplittable.failures, last: .queryTimeout(text, request: redacted))
                    }
                    continue walk
                }
                unsplittable.succeeded()
                let outcome = walker.pageArrived(items: page.items, next: page.nextPageParameters)
                if case .failed = outcome.next {
                    action = outcome.next
                    continue walk
                }
                for item in page.items[outcome.kept] {
                    try spill.append(
                        ReversingRowSpill.Record(row: item, page: walker.pages, fetchedAtUnixSeconds: fetchedAt))
                }
                progress.rows += outcome.kept.count
                progress.windowsDone += 1
                progress.pageDone(calls: executor.requestCount - callsBefore, remainingBlocks: walker.remainingBlocks)
                onProgress(progress)
                action = outcome.next
            }
        }

        let endpoint = BlockscoutClient.v2Endpoint(for: target)
        try spill.forEachReversed { record in
            try sink(
                RawExplorerRow(
                    source: source, endpoint: endpoint, contract: target.contract, address: target.address,
                    fromBlock: fromBlock, toBlock: toBlock, page: record.page, offset: BlockscoutClient.v2PageSize,
                    fetchedAt: UTCTimestamp.iso8601(
                        Date(timeIntervalSince1970: TimeInterval(record.fetchedAtUnixSeconds))),
                    row: record.row))
        }
        progress.calls = executor.requestCount - callsBefore
        progress.blocksDone = progress.blocksTotal
        progress.estimatedRemainingCalls = 0
        logger.debug(
            "explorer keyset extraction finished",
            metadata: [
                "explorer.target": "\(target)", "rows.count": "\(spill.count)", "pages.count": "\(walker.pages)",
            ])
        return progress
    }
}

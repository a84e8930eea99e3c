/// What every explorer family offers the extractor: request builders for transfers, the head and
/// the block at a time. Builders are pure; `ExplorerRequestExecutor` sends them.
public protocol ExplorerClient: Sendable {
    var endpoint: ExplorerEndpoint { get }
    /// The request for one page of transfers of `source` for `target` in `window`.
    func transfersRequest(source: ExplorerSourceKind, target: ExtractionTarget, window: BlockWindowWalker.Request)
        throws -> HTTPRequest
    /// The request for the latest block number.
    func headBlockNumberRequest() -> HTTPRequest
}

extension ExplorerClient {
    /// The request for the block closest to `timestamp` (unix seconds) in `direction`:
    /// `module=block&action=getblocknobytime`, the same on both families (Blockscout answers
    /// `{"blockNumber": "…"}`, Etherscan a bare number; `ExplorerResponseParser` reads both).
    public func blockNumberRequest(timestamp: Int, closest direction: BlockSearchDirection) -> HTTPRequest {
        endpoint.request([
            QueryParameter("module", "block"), QueryParameter("action", "getblocknobytime"),
            QueryParameter("timestamp", String(timestamp)), QueryParameter("closest", direction.rawValue),
        ])
    }

    /// The latest block number the explorer has indexed.
    public func headBlockNumber(using executor: ExplorerRequestExecutor) throws -> Int {
        let request = headBlockNumberRequest()
        return try executor.perform(request) { response in
            try ExplorerResponseParser.blockNumber(
                from: response, request: request.redacted, secret: endpoint.apiKey)
        }
    }

    /// The block at/before or at/after `timestamp` (`getblocknobytime`).
    public func blockNumber(
        atTimestamp timestamp: Int, closest direction: BlockSearchDirection, using executor: ExplorerRequestExecutor
    ) throws -> Int {
        let request = blockNumberRequest(timestamp: timestamp, closest: direction)
        return try executor.perform(request) { response in
            try ExplorerResponseParser.blockNumber(
                from: response, request: request.redacted, secret: endpoint.apiKey)
        }
    }

    /// One page of transfer rows, verbatim, in the order received (Blockscout v2: the first
    /// page below `window.toBlock`, clipped to the window and put in ascending order).
    public func transfers(
        source: ExplorerSourceKind, target: ExtractionTarget, window: BlockWindowWalker.Request,
        using executor: ExplorerRequestExecutor
    ) throws -> [ExplorerRow] {
        let request = try transfersRequest(source: source, target: target, window: window)
        if source == .blockscoutV2 {
            return try executor.perform(request) { response in
                try ExplorerResponseParser.blockscoutV2Page(
                    from: response, request: request.redacted, secret: endpoint.apiKey
                ).items.filter { $0.blockNumber >= window.fromBlock && $0.blockNumber <= window.toBlock }.reversed()
            }
        }
        return try executor.perform(request) { response in
            try ExplorerResponseParser.rows(from: response, request: request.redacted, secret: endpoint.apiKey)
        }
    }
}

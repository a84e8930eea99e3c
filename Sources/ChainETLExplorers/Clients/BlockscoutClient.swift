/// Blockscout's Etherscan-compatible RPC API (`…/api?module=…`) and its REST v2 lists.
///
/// Blockscout defaults differ from Etherscan (`sort=desc`, 10,000 rows per page), so every
/// parameter is sent explicitly. Its getLogs ignores page/offset and returns at most 1,000 logs.
public struct BlockscoutClient: ExplorerClient {
    public let endpoint: ExplorerEndpoint

    /// `endpoint.baseURL` is the chain's API root, e.g. `http://127.0.0.1:P/blockscout/10/api`.
    public init(endpoint: ExplorerEndpoint) {
        var endpoint = endpoint
        endpoint.sendsChainID = false
        self.endpoint = endpoint
    }

    /// `module=account&action=tokentx` with explicit `sort=asc`, `page` and `offset`.
    public func tokenTransfersRequest(
        contract: String?, address: String?, startBlock: Int, endBlock: Int, page: Int, offset: Int
    ) -> HTTPRequest {
        var parameters = [QueryParameter("module", "account"), QueryParameter("action", "tokentx")]
        if let contract { parameters.append(QueryParameter("contractaddress", contract)) }
        if let address { parameters.append(QueryParameter("address", address)) }
        parameters += [
            QueryParameter("startblock", String(startBlock)), QueryParameter("endblock", String(endBlock)),
            QueryParameter("page", String(page)), QueryParameter("offset", String(offset)),
            QueryParameter("sort", "asc"),
        ]
        return endpoint.request(parameters)
    }

    /// `module=logs&action=getLogs` for `contract`'s Transfer logs (no paging: narrow the range).
    public func logsRequest(contract: String, fromBlock: Int, toBlock: Int) -> HTTPRequest {
        endpoint.request([
            QueryParameter("module", "logs"), QueryParameter("action", "getLogs"),
            QueryParameter("address", contract),
            QueryParameter("fromBlock", String(fromBlock)), QueryParameter("toBlock", String(toBlock)),
            QueryParameter("topic0", EtherscanClient.transferTopic),
        ])
    }

    /// REST v2 `GET /v2/addresses/{address}/token-transfers?type=ERC-20` (keyset cursor).
    ///
    /// - Parameter cursor: the previous page's `next_page_params`, sent back verbatim.
    public func tokenTransfersV2Request(address: String, token: String?, cursor: [QueryParameter]?) -> HTTPRequest {
        var parameters = [QueryParameter("type", "ERC-20")]
        if let token { parameters.append(QueryParameter("token", token)) }
        parameters += cursor ?? []
        return endpoint.request(path: ["v2", "addresses", address, "token-transfers"], parameters)
    }

    public func transfersRequest(source: ExplorerSourceKind, target: ExtractionTarget, window: BlockWindowWalker.Request)
        throws -> HTTPRequest
    {
        switch source {
        case .blockscoutTokenTransfers:
            return tokenTransfersRequest(
                contract: target.contract, address: target.address, startBlock: window.fromBlock,
                endBlock: window.toBlock, page: window.page, offset: window.offset)
        case .blockscoutLogs:
            guard let contract = target.contract else {
                throw ExplorerError.invalidConfiguration("blockscout-logs needs a token contract, got \(target)")
            }
            return logsRequest(contract: contract, fromBlock: window.fromBlock, toBlock: window.toBlock)
        case .etherscanLogs, .etherscanTokenTransfers:
            throw ExplorerError.invalidConfiguration("source \(source) needs an etherscan chain, not blockscout")
        }
    }

    /// `module=block&action=eth_block_number` (a JSON-RPC style envelope).
    public func headBlockNumberRequest() -> HTTPRequest {
        endpoint.request([QueryParameter("module", "block"), QueryParameter("action", "eth_block_number")])
    }

    /// `module=block&action=getblocknobytime` (Blockscout answers `{"blockNumber": "…"}`).
    public func blockNumberRequest(timestamp: Int, closest direction: BlockSearchDirection) -> HTTPRequest {
        endpoint.request([
            QueryParameter("module", "block"), QueryParameter("action", "getblocknobytime"),
            QueryParameter("timestamp", String(timestamp)), QueryParameter("closest", direction.rawValue),
        ])
    }
}

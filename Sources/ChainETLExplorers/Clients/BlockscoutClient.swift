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

    /// Items per page of the REST v2 lists (Blockscout's default; before v12 it cannot be changed).
    public static let v2PageSize = 50

    /// REST v2 `GET /v2/addresses/{address}/token-transfers?type=ERC-20` (keyset cursor).
    ///
    /// - Parameter cursor: the previous page's `next_page_params`, sent back verbatim.
    public func tokenTransfersV2Request(address: String, token: String?, cursor: [QueryParameter]?) -> HTTPRequest {
        var parameters = [QueryParameter("type", "ERC-20")]
        if let token { parameters.append(QueryParameter("token", token)) }
        parameters += cursor ?? []
        return endpoint.request(path: ["v2", "addresses", address, "token-transfers"], parameters)
    }

    /// REST v2 `GET /v2/tokens/{token}/transfers` (keyset cursor): every transfer of one token.
    public func tokenTransfersV2Request(token: String, cursor: [QueryParameter]?) -> HTTPRequest {
        endpoint.request(path: ["v2", "tokens", token, "transfers"], cursor ?? [])
    }

    /// The v2 list a target reads: the token's own list for a token alone, else the account's
    /// ERC-20 transfers (of the token, when the target names one).
    public func tokenTransfersV2Request(target: ExtractionTarget, cursor: [QueryParameter]?) -> HTTPRequest {
        if let address = target.address {
            return tokenTransfersV2Request(address: address, token: target.contract, cursor: cursor)
        }
        return tokenTransfersV2Request(token: target.contract ?? "", cursor: cursor)
    }

    /// The raw line's `request.endpoint` for a v2 walk of `target`.
    public static func v2Endpoint(for target: ExtractionTarget) -> String {
        target.address == nil ? ExplorerSourceKind.blockscoutV2.endpoint : "v2/addresses/token-transfers"
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
        case .blockscoutV2:
            // v2 has no block range: the first page seeks below `toBlock + 1` with a keyset cursor.
            return tokenTransfersV2Request(target: target, cursor: KeysetWalker.seekCursor(below: window.toBlock + 1))
        case .etherscanLogs, .etherscanTokenTransfers:
            throw ExplorerError.invalidConfiguration("source \(source) needs an etherscan chain, not blockscout")
        }
    }

    /// `module=block&action=eth_block_number` (a JSON-RPC style envelope).
    public func headBlockNumberRequest() -> HTTPRequest {
        endpoint.request([QueryParameter("module", "block"), QueryParameter("action", "eth_block_number")])
    }
}

/// The Etherscan V2 API: one base URL for every chain, selected by `chainid`.
public struct EtherscanClient: ExplorerClient {
    /// keccak256("Transfer(address,address,uint256)"): topic0 of ERC-20 (and ERC-721) transfers.
    public static let transferTopic = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"

    public let endpoint: ExplorerEndpoint

    public init(endpoint: ExplorerEndpoint) {
        var endpoint = endpoint
        endpoint.sendsChainID = true
        self.endpoint = endpoint
    }

    /// `module=logs&action=getLogs` for `contract`'s Transfer logs (hex fields, with `logIndex`).
    public func logsRequest(contract: String, fromBlock: Int, toBlock: Int, page: Int, offset: Int) -> HTTPRequest {
        endpoint.request([
            QueryParameter("module", "logs"), QueryParameter("action", "getLogs"),
            QueryParameter("address", contract),
            QueryParameter("fromBlock", String(fromBlock)), QueryParameter("toBlock", String(toBlock)),
            QueryParameter("topic0", Self.transferTopic),
            QueryParameter("page", String(page)), QueryParameter("offset", String(offset)),
        ])
    }

    /// `module=account&action=tokentx` by contract and/or account, ascending.
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

    public func transfersRequest(source: ExplorerSourceKind, target: ExtractionTarget, window: BlockWindowWalker.Request)
        throws -> HTTPRequest
    {
        switch source {
        case .etherscanLogs:
            guard let contract = target.contract else {
                throw ExplorerError.invalidConfiguration("etherscan-logs needs a token contract, got \(target)")
            }
            return logsRequest(
                contract: contract, fromBlock: window.fromBlock, toBlock: window.toBlock, page: window.page,
                offset: window.offset)
        case .etherscanTokenTransfers:
            return tokenTransfersRequest(
                contract: target.contract, address: target.address, startBlock: window.fromBlock,
                endBlock: window.toBlock, page: window.page, offset: window.offset)
        case .blockscoutTokenTransfers, .blockscoutLogs, .blockscoutV2:
            throw ExplorerError.invalidConfiguration("source \(source) needs a blockscout chain, not etherscan")
        }
    }

    /// `module=proxy&action=eth_blockNumber` (answered as a bare JSON-RPC envelope).
    public func headBlockNumberRequest() -> HTTPRequest {
        endpoint.request([QueryParameter("module", "proxy"), QueryParameter("action", "eth_blockNumber")])
    }
}

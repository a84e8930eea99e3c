import ChainETLCore

/// Serializes result rows in each explorer's exact field set, key order and string types.
enum ExplorerRowWriter {
    /// ERC-20 `Transfer(address,address,uint256)` topic0.
    static let transferTopic = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"

    /// Etherscan `account/tokentx`: decimal strings, no `logIndex`, `input` "deprecated", 0x `methodId`.
    /// Key order of `etherscan_v2_tokentx_page_eth_usdc.json`.
    static func etherscanTokenTransfer(
        _ row: TransferScan.Row, token: SimulatedToken, head: Int, into writer: inout JSONLineWriter
    ) {
        let log = row.log
        let transaction = row.transaction
        writer.beginObject()
        writer.field("blockNumber", String(row.block.number))
        writer.field("timeStamp", String(row.block.timestamp))
        writer.field("hash", transaction.hash)
        writer.field("nonce", String(transaction.nonce))
        writer.field("blockHash", row.block.hash)
        writer.field("from", log.fromAddress)
        writer.field("contractAddress", log.tokenAddress)
        writer.field("to", log.toAddress)
        writer.field("value", log.value.description)
        writer.field("tokenName", token.name)
        writer.field("tokenSymbol", token.symbol)
        writer.field("tokenDecimal", token.decimals)
        writer.field("transactionIndex", String(transaction.transactionIndex))
        writer.field("gas", String(transaction.gas))
        writer.field("gasPrice", String(transaction.gasPrice))
        writer.field("gasUsed", String(transaction.gasUsed))
        writer.field("cumulativeGasUsed", String(transaction.cumulativeGasUsed))
        writer.field("input", "deprecated")
        writer.field("methodId", transaction.methodID)
        writer.field("functionName", transaction.functionName)
        writer.field("confirmations", String(head - row.block.number))
        writer.endObject()
    }

    /// Blockscout `account/tokentx`: `value` first then alphabetical (as recorded), `methodId`
    /// without 0x, full calldata in `input`. Key order of `blockscout_tokentx_page_optimism.json`.
    static func blockscoutTokenTransfer(
        _ row: TransferScan.Row, token: SimulatedToken, head: Int, into writer: inout JSONLineWriter
    ) {
        let log = row.log
        let transaction = row.transaction
        writer.beginObject()
        writer.field("value", log.value.description)
        writer.field("blockHash", row.block.hash)
        writer.field("blockNumber", String(row.block.number))
        writer.field("confirmations", String(head - row.block.number))
        writer.field("contractAddress", log.tokenAddress)
        writer.field("cumulativeGasUsed", String(transaction.cumulativeGasUsed))
        writer.field("from", log.fromAddress)
        writer.field("functionName", transaction.functionName)
        writer.field("gas", String(transaction.gas))
        writer.field("gasPrice", String(transaction.gasPrice))
        writer.field("gasUsed", String(transaction.gasUsed))
        writer.field("hash", transaction.hash)
        writer.field("input", transaction.input)
        writer.field("methodId", String(transaction.methodID.dropFirst(2)))
        writer.field("nonce", String(transaction.nonce))
        writer.field("timeStamp", String(row.block.timestamp))
        writer.field("to", log.toAddress)
        writer.field("tokenDecimal", token.decimals)
        writer.field("tokenName", token.name)
        writer.field("tokenSymbol", token.symbol)
        writer.field("transactionIndex", String(transaction.transactionIndex))
        writer.endObject()
    }

    /// Blockscout REST v2 `token-transfers` item (`TokenTransferView.prepare_token_transfer`):
    /// keys in alphabetical order as Blockscout's JSON encoder writes small maps, integer
    /// `block_number` / `log_index`, EIP-55 checksummed address hashes, decimal strings in
    /// `total`, `decimals` null when unknown, an ISO-8601 `timestamp` with microseconds.
    /// ERC-721 items carry `total: {token_id, token_instance}` instead of a value.
    static func blockscoutV2TokenTransfer(
        _ row: TransferScan.Row, token: SimulatedToken, chain: SimulatedChain, into writer: inout JSONLineWriter
    ) {
        let log = row.log
        let transaction = row.transaction
        writer.beginObject()
        writer.field("block_hash", row.block.hash)
        writer.key("block_number")
        writer.int(row.block.number)
        writer.key("from")
        writeV2Address(chain.checksummedAccountAddress(log.fromAccount), into: &writer)
        writer.key("log_index")
        writer.int(log.logIndex)
        writer.field("method", v2MethodName(transaction))
        writer.field("timestamp", v2Timestamp(row.block.timestamp))
        writer.key("to")
        writeV2Address(chain.checksummedAccountAddress(log.toAccount), into: &writer)
        writer.key("token")
        writeV2Token(token, address: chain.checksummedTokenAddress(token.index), into: &writer)
        writer.field("token_type", token.standard.rawValue)
        writer.key("total")
        writer.beginObject()
        if log.isERC721 {
            writer.field("token_id", log.value.description)
            writer.key("token_instance")
            writer.null()
        } else {
            writer.key("decimals")
            if token.decimals.isEmpty { writer.null() } else { writer.string(token.decimals) }
            writer.field("value", log.value.description)
        }
        writer.endObject()
        writer.field("transaction_hash", transaction.hash)
        writer.field("type", v2TransferType(log))
        writer.endObject()
    }

    /// `Chain.get_token_transfer_type`: burning when sent to the zero address, minting when
    /// sent from it, otherwise a plain transfer.
    private static func v2TransferType(_ log: SimulatedLog) -> String {
        if log.toAccount == 0 { return "token_burning" }
        if log.fromAccount == 0 { return log.isERC721 ? "token_spawning" : "token_minting" }
        return "token_transfer"
    }

    /// `Transaction.method_name`: the decoded function's name, else the 4-byte selector.
    private static func v2MethodName(_ transaction: SimulatedTransaction) -> String {
        let signature = transaction.functionName
        guard let open = signature.firstIndex(of: "(") else { return transaction.methodID }
        return String(signature[..<open])
    }

    /// `2026-11-20T00:00:12.000000Z`: Elixir's `DateTime` ISO-8601 with microsecond precision.
    private static func v2Timestamp(_ unixSeconds: Int) -> String {
        var bytes: [UInt8] = []
        BlockTimeText.append(unixSeconds: unixSeconds, to: &bytes)
        bytes.removeLast()
        bytes.append(contentsOf: ".000000Z".utf8)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `Helper.address_with_info` for an address without tags, name or contract code.
    private static func writeV2Address(_ hash: String, into writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.key("ens_domain_name")
        writer.null()
        writer.field("hash", hash)
        writer.key("implementations")
        writer.beginArray()
        writer.endArray()
        writer.key("is_contract")
        writer.bool(false)
        writer.key("is_scam")
        writer.bool(false)
        writer.key("is_verified")
        writer.null()
        writer.key("metadata")
        writer.null()
        writer.key("name")
        writer.null()
        writer.key("private_tags")
        writer.beginArray()
        writer.endArray()
        writer.key("proxy_type")
        writer.null()
        writer.key("public_tags")
        writer.beginArray()
        writer.endArray()
        writer.field("reputation", "ok")
        writer.key("watchlist_names")
        writer.beginArray()
        writer.endArray()
        writer.endObject()
    }

    /// `TokenView.render("token.json")`: decimals as a string (null when unknown), counts as strings.
    private static func writeV2Token(_ token: SimulatedToken, address: String, into writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.field("address_hash", address)
        writer.key("circulating_market_cap")
        writer.null()
        writer.key("decimals")
        if token.decimals.isEmpty { writer.null() } else { writer.string(token.decimals) }
        writer.key("exchange_rate")
        writer.null()
        writer.field("holders_count", String(1_000 + 37 * token.index))
        writer.key("icon_url")
        writer.null()
        writer.field("name", token.name)
        writer.field("reputation", "ok")
        writer.field("symbol", token.symbol)
        writer.key("total_supply")
        writer.null()
        writer.field("type", token.standard.rawValue)
        writer.key("volume_24h")
        writer.null()
        writer.endObject()
    }

    /// Etherscan `logs/getLogs`: hex everything, zero as the bare `"0x"`, only the log's topics.
    /// Key order of `etherscan_v2_getlogs_transfer_two_logs_0x_quirk.json`.
    static func etherscanLog(_ row: TransferScan.Row, into writer: inout JSONLineWriter) {
        let log = row.log
        let transaction = row.transaction
        writer.beginObject()
        writer.field("address", log.tokenAddress)
        writer.key("topics")
        writeTopics(log, paddedToFour: false, into: &writer)
        writer.field("data", log.isERC721 ? "0x" : HexFormat.word(log.value))
        writer.field("blockNumber", HexFormat.quantity(row.block.number, bareZero: true))
        writer.field("blockHash", row.block.hash)
        writer.field("timeStamp", HexFormat.quantity(row.block.timestamp, bareZero: true))
        writer.field("gasPrice", HexFormat.quantity(transaction.gasPrice, bareZero: true))
        writer.field("gasUsed", HexFormat.quantity(transaction.gasUsed, bareZero: true))
        writer.field("logIndex", HexFormat.quantity(log.logIndex, bareZero: true))
        writer.field("transactionHash", transaction.hash)
        writer.field("transactionIndex", HexFormat.quantity(transaction.transactionIndex, bareZero: true))
        writer.endObject()
    }

    /// Blockscout `logs/getLogs`: alphabetical keys, no `blockHash`, topics padded to 4 with
    /// null, zero as `"0x0"`. Key order of `blockscout_getlogs_transfer_same_query.json`.
    static func blockscoutLog(_ row: TransferScan.Row, into writer: inout JSONLineWriter) {
        let log = row.log
        let transaction = row.transaction
        writer.beginObject()
        writer.field("address", log.tokenAddress)
        writer.field("blockNumber", HexFormat.quantity(row.block.number, bareZero: false))
        writer.field("data", log.isERC721 ? "0x" : HexFormat.word(log.value))
        writer.field("gasPrice", HexFormat.quantity(transaction.gasPrice, bareZero: false))
        writer.field("gasUsed", HexFormat.quantity(transaction.gasUsed, bareZero: false))
        writer.field("logIndex", HexFormat.quantity(log.logIndex, bareZero: false))
        writer.field("timeStamp", HexFormat.quantity(row.block.timestamp, bareZero: false))
        writer.key("topics")
        writeTopics(log, paddedToFour: true, into: &writer)
        writer.field("transactionHash", transaction.hash)
        writer.field("transactionIndex", HexFormat.quantity(transaction.transactionIndex, bareZero: false))
        writer.endObject()
    }

    private static func writeTopics(_ log: SimulatedLog, paddedToFour: Bool, into writer: inout JSONLineWriter) {
        writer.beginArray()
        writer.string(transferTopic)
        writer.string(HexFormat.topic(address: log.fromAddress))
        writer.string(HexFormat.topic(address: log.toAddress))
        if log.isERC721 {
            writer.string(HexFormat.word(log.value))
        } else if paddedToFour {
            writer.null()
        }
        writer.endArray()
    }
}

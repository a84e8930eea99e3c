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

import ChainETLCore

/// Serializes result rows in each explorer's exact field set, key order and string types.
enum ExplorerRowWriter {
    /// ERC-20 `Transfer(address,address,uint256)` topic0.
    static let transferTopic = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"

    /// Etherscan `account/tokentx`: decimal strings, no `logIndex`, `input` "deprecated", 0x `methodId`.
    /// Key order of `etherscan_v2_tokentx_page_eth_usdc.json`.
    static func etherscanTokenTransfer(_ row: TransferScan.Row, token: SimulatedToken, head: Int, into writer: inout JSONLineWriter) {
        let log = row.log
        let transaction = row.transaction
        writer.beginObject()
        writer.key("blockNumber"); writer.string(String(row.block.number))
        writer.key("timeStamp"); writer.string(String(row.block.timestamp))
        writer.key("hash"); writer.string(transaction.hash)
        writer.key("nonce"); writer.string(String(transaction.nonce))
        writer.key("blockHash"); writer.string(row.block.hash)
        writer.key("from"); writer.string(log.fromAddress)
        writer.key("contractAddress"); writer.string(log.tokenAddress)
        writer.key("to"); writer.string(log.toAddress)
        writer.key("value"); writer.string(log.value.description)
        writer.key("tokenName"); writer.string(token.name)
        writer.key("tokenSymbol"); writer.string(token.symbol)
        writer.key("tokenDecimal"); writer.string(token.decimals)
        writer.key("transactionIndex"); writer.string(String(transaction.transactionIndex))
        writer.key("gas"); writer.string(String(transaction.gas))
        writer.key("gasPrice"); writer.string(String(transaction.gasPrice))
        writer.key("gasUsed"); writer.string(String(transaction.gasUsed))
        writer.key("cumulativeGasUsed"); writer.string(String(transaction.cumulativeGasUsed))
        writer.key("input"); writer.string("deprecated")
        writer.key("methodId"); writer.string(transaction.methodID)
        writer.key("functionName"); writer.string(transaction.functionName)
        writer.key("confirmations"); writer.string(String(head - row.block.number))
        writer.endObject()
    }

    /// Blockscout `account/tokentx`: `value` first then alphabetical (as recorded), `methodId`
    /// without 0x, full calldata in `input`. Key order of `blockscout_tokentx_page_optimism.json`.
    static func blockscoutTokenTransfer(_ row: TransferScan.Row, token: SimulatedToken, head: Int, into writer: inout JSONLineWriter) {
        let log = row.log
        let transaction = row.transaction
        writer.beginObject()
        writer.key("value"); writer.string(log.value.description)
        writer.key("blockHash"); writer.string(row.block.hash)
        writer.key("blockNumber"); writer.string(String(row.block.number))
        writer.key("confirmations"); writer.string(String(head - row.block.number))
        writer.key("contractAddress"); writer.string(log.tokenAddress)
        writer.key("cumulativeGasUsed"); writer.string(String(transaction.cumulativeGasUsed))
        writer.key("from"); writer.string(log.fromAddress)
        writer.key("functionName"); writer.string(transaction.functionName)
        writer.key("gas"); writer.string(String(transaction.gas))
        writer.key("gasPrice"); writer.string(String(transaction.gasPrice))
        writer.key("gasUsed"); writer.string(String(transaction.gasUsed))
        writer.key("hash"); writer.string(transaction.hash)
        writer.key("input"); writer.string(transaction.input)
        writer.key("methodId"); writer.string(String(transaction.methodID.dropFirst(2)))
        writer.key("nonce"); writer.string(String(transaction.nonce))
        writer.key("timeStamp"); writer.string(String(row.block.timestamp))
        writer.key("to"); writer.string(log.toAddress)
        writer.key("tokenDecimal"); writer.string(token.decimals)
        writer.key("tokenName"); writer.string(token.name)
        writer.key("tokenSymbol"); writer.string(token.symbol)
        writer.key("transactionIndex"); writer.string(String(transaction.transactionIndex))
        writer.endObject()
    }

    /// Etherscan `logs/getLogs`: hex everything, zero as the bare `"0x"`, only the log's topics.
    /// Key order of `etherscan_v2_getlogs_transfer_two_logs_0x_quirk.json`.
    static func etherscanLog(_ row: TransferScan.Row, into writer: inout JSONLineWriter) {
        let log = row.log
        let transaction = row.transaction
        writer.beginObject()
        writer.key("address"); writer.string(log.tokenAddress)
        writer.key("topics")
        writeTopics(log, paddedToFour: false, into: &writer)
        writer.key("data"); writer.string(log.isERC721 ? "0x" : HexFormat.word(log.value))
        writer.key("blockNumber"); writer.string(HexFormat.quantity(row.block.number, bareZero: true))
        writer.key("blockHash"); writer.string(row.block.hash)
        writer.key("timeStamp"); writer.string(HexFormat.quantity(row.block.timestamp, bareZero: true))
        writer.key("gasPrice"); writer.string(HexFormat.quantity(transaction.gasPrice, bareZero: true))
        writer.key("gasUsed"); writer.string(HexFormat.quantity(transaction.gasUsed, bareZero: true))
        writer.key("logIndex"); writer.string(HexFormat.quantity(log.logIndex, bareZero: true))
        writer.key("transactionHash"); writer.string(transaction.hash)
        writer.key("transactionIndex"); writer.string(HexFormat.quantity(transaction.transactionIndex, bareZero: true))
        writer.endObject()
    }

    /// Blockscout `logs/getLogs`: alphabetical keys, no `blockHash`, topics padded to 4 with
    /// null, zero as `"0x0"`. Key order of `blockscout_getlogs_transfer_same_query.json`.
    static func blockscoutLog(_ row: TransferScan.Row, into writer: inout JSONLineWriter) {
        let log = row.log
        let transaction = row.transaction
        writer.beginObject()
        writer.key("address"); writer.string(log.tokenAddress)
        writer.key("blockNumber"); writer.string(HexFormat.quantity(row.block.number, bareZero: false))
        writer.key("data"); writer.string(log.isERC721 ? "0x" : HexFormat.word(log.value))
        writer.key("gasPrice"); writer.string(HexFormat.quantity(transaction.gasPrice, bareZero: false))
        writer.key("gasUsed"); writer.string(HexFormat.quantity(transaction.gasUsed, bareZero: false))
        writer.key("logIndex"); writer.string(HexFormat.quantity(log.logIndex, bareZero: false))
        writer.key("timeStamp"); writer.string(HexFormat.quantity(row.block.timestamp, bareZero: false))
        writer.key("topics")
        writeTopics(log, paddedToFour: true, into: &writer)
        writer.key("transactionHash"); writer.string(transaction.hash)
        writer.key("transactionIndex"); writer.string(HexFormat.quantity(transaction.transactionIndex, bareZero: false))
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

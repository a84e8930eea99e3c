import ChainETLCore

/// The fields of one explorer row that normalize reads, located in a single pass.
///
/// Keys are matched by length first, then bytes, so rows with many unused keys (`input`,
/// `confirmations`, gas fields) cost one length switch per key.
struct RawRowFields {
    var address: JSONSlice?
    var topics: JSONSlice?
    var data: JSONSlice?
    var blockNumber: JSONSlice?
    var blockHash: JSONSlice?
    var timeStamp: JSONSlice?
    var logIndex: JSONSlice?
    var transactionHash: JSONSlice?
    var hash: JSONSlice?
    var from: JSONSlice?
    var to: JSONSlice?
    var contractAddress: JSONSlice?
    var value: JSONSlice?
    var tokenName: JSONSlice?
    var tokenSymbol: JSONSlice?
    var tokenDecimal: JSONSlice?
    /// Blockscout REST v2 item fields (snake_case; `from`/`to` are objects holding `hash`).
    var transactionHashV2: JSONSlice?
    var blockNumberV2: JSONSlice?
    var blockHashV2: JSONSlice?
    var logIndexV2: JSONSlice?
    var timestampV2: JSONSlice?
    var total: JSONSlice?
    var token: JSONSlice?
    var tokenType: JSONSlice?

    /// Records `value` under `key` when it is a field normalize reads.
    mutating func assign(key: Range<Int>, value slice: JSONSlice, in scanner: JSONScanner) {
        switch key.count {
        case 2:
            if scanner.equals(key, "to") { to = slice }
        case 4:
            if scanner.equals(key, "hash") {
                hash = slice
            } else if scanner.equals(key, "from") {
                from = slice
            } else if scanner.equals(key, "data") {
                data = slice
            }
        case 5:
            if scanner.equals(key, "value") {
                value = slice
            } else if scanner.equals(key, "total") {
                total = slice
            } else if scanner.equals(key, "token") {
                token = slice
            }
        case 6:
            if scanner.equals(key, "topics") { topics = slice }
        case 7:
            if scanner.equals(key, "address") { address = slice }
        case 8:
            if scanner.equals(key, "logIndex") { logIndex = slice }
        case 9:
            if scanner.equals(key, "blockHash") {
                blockHash = slice
            } else if scanner.equals(key, "timeStamp") {
                timeStamp = slice
            } else if scanner.equals(key, "tokenName") {
                tokenName = slice
            } else if scanner.equals(key, "log_index") {
                logIndexV2 = slice
            } else if scanner.equals(key, "timestamp") {
                timestampV2 = slice
            }
        case 10:
            if scanner.equals(key, "block_hash") {
                blockHashV2 = slice
            } else if scanner.equals(key, "token_type") {
                tokenType = slice
            }
        case 11:
            if scanner.equals(key, "blockNumber") {
                blockNumber = slice
            } else if scanner.equals(key, "tokenSymbol") {
                tokenSymbol = slice
            }
        case 12:
            if scanner.equals(key, "tokenDecimal") {
                tokenDecimal = slice
            } else if scanner.equals(key, "block_number") {
                blockNumberV2 = slice
            }
        case 15:
            if scanner.equals(key, "transactionHash") {
                transactionHash = slice
            } else if scanner.equals(key, "contractAddress") {
                contractAddress = slice
            }
        case 16:
            if scanner.equals(key, "transaction_hash") { transactionHashV2 = slice }
        default:
            break
        }
    }
}

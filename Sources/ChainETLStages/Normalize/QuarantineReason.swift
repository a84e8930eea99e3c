/// Why a raw row was quarantined instead of normalized: a stable snake_case `code` for counts and
/// tooling, and a human `message` saying what is wrong.
///
/// Field names in the cases are the explorer's own keys (`hash`, `transactionHash`, `from`, …) so
/// a reader can find the bad value in the quarantined raw row.
public enum QuarantineReason: Sendable, Hashable {
    /// The line is not JSON, or is cut short (a truncated write or download).
    case invalidJSON(detail: String)
    /// The line is JSON but not a raw checkpoint line (not an object, or `source`/`chain_id` malformed).
    case invalidEnvelope(detail: String)
    /// The line has no `row` object.
    case missingRow
    /// `source` names no explorer endpoint this normalizer reads.
    case unknownSource(String)
    /// `chain_id` differs from the chain this partition belongs to.
    case chainIDMismatch(expected: Int, found: String)
    /// `chain_id` is none of the pipeline's chains.
    case unknownChain(found: String, known: [Int])
    /// A field the row needs is absent.
    case missingField(String)
    /// A field has the wrong JSON type (e.g. a number where a string is required).
    case wrongType(field: String, expected: String)
    /// The transaction hash is not `0x` + 64 hex digits.
    case invalidTxHash(field: String)
    /// The block hash is present but not `0x` + 64 hex digits.
    case invalidBlockHash
    /// An address field is not `0x` + 40 hex digits.
    case invalidAddress(field: String)
    /// A decimal `value` holds something other than digits.
    case invalidValue
    /// `value` is negative.
    case negativeValue
    /// `value` exceeds 2^256 − 1.
    case valueOutOfRange
    /// A hex `data` value holds non-hex characters or lacks its `0x` prefix.
    case invalidHexValue
    /// Log `data` is hex but not exactly one 32-byte word.
    case invalidDataLength(bytes: Int)
    /// A topic is not `0x` + 64 hex digits, an address topic is not zero-padded, or topics are not an array.
    case invalidTopic(index: Int, detail: String)
    /// The block number is not a number in the source's notation.
    case invalidBlockNumber
    /// The block number is negative.
    case negativeBlockNumber
    /// The timestamp is not a number in the source's notation.
    case invalidTimestamp
    /// The timestamp is before 2015-07-30 or more than a day past the partition's end.
    case timestampOutOfRange(unixSeconds: Int)
    /// The block time is sane but on another day than the partition: the row belongs elsewhere.
    case blockTimeOutsidePartition(blockTime: String, partition: String)
    /// `tokenDecimal` is neither empty nor an integer in 0...255.
    case invalidTokenDecimals
    /// `logIndex` is present but not a non-negative number in the source's notation.
    case invalidLogIndex
    /// A text field holds a malformed escape sequence.
    case invalidString(field: String)

    /// The stable snake_case code written to the quarantine file and counted in manifests.
    public var code: String {
        switch self {
        case .invalidJSON: return "invalid_json"
        case .invalidEnvelope: return "invalid_envelope"
        case .missingRow: return "missing_row"
        case .unknownSource: return "unknown_source"
        case .chainIDMismatch: return "chain_id_mismatch"
        case .unknownChain: return "unknown_chain"
        case .missingField: return "missing_field"
        case .wrongType: return "wrong_type"
        case .invalidTxHash: return "invalid_tx_hash"
        case .invalidBlockHash: return "invalid_block_hash"
        case .invalidAddress: return "invalid_address"
        case .invalidValue: return "invalid_value"
        case .negativeValue: return "negative_value"
        case .valueOutOfRange: return "value_out_of_range"
        case .invalidHexValue: return "invalid_hex_value"
        case .invalidDataLength: return "invalid_data_length"
        case .invalidTopic: return "invalid_topic"
        case .invalidBlockNumber: return "invalid_block_number"
        case .negativeBlockNumber: return "negative_block_number"
        case .invalidTimestamp: return "invalid_timestamp"
        case .timestampOutOfRange: return "timestamp_out_of_range"
        case .blockTimeOutsidePartition: return "block_time_outside_partition"
        case .invalidTokenDecimals: return "invalid_token_decimals"
        case .invalidLogIndex: return "invalid_log_index"
        case .invalidString: return "invalid_string"
        }
    }

    /// What is wrong, in words.
    public var message: String {
        switch self {
        case .invalidJSON(let detail): return "line is not valid json: \(detail)"
        case .invalidEnvelope(let detail): return "line is not a raw checkpoint line: \(detail)"
        case .missingRow: return "line has no \"row\" object"
        case .unknownSource(let source): return "source \"\(source)\" is not an explorer endpoint normalize reads"
        case .chainIDMismatch(let expected, let found):
            return "chain_id \(found) does not match the partition's chain \(expected)"
        case .unknownChain(let found, let known):
            return "chain_id \(found) is not a chain of this pipeline (chains: "
                + known.map(String.init).joined(separator: ", ") + ")"
        case .missingField(let field): return "row lacks required field \"\(field)\""
        case .wrongType(let field, let expected): return "field \"\(field)\" is not \(expected)"
        case .invalidTxHash(let field): return "field \"\(field)\" is not a transaction hash (0x + 64 hex digits)"
        case .invalidBlockHash: return "the block hash (blockHash, block_hash) is not 0x + 64 hex digits"
        case .invalidAddress(let field): return "field \"\(field)\" is not an address (0x + 40 hex digits)"
        case .invalidValue: return "field \"value\" is not a decimal integer"
        case .negativeValue: return "field \"value\" is negative"
        case .valueOutOfRange: return "field \"value\" exceeds 2^256 - 1"
        case .invalidHexValue: return "field \"data\" is not 0x-prefixed hex"
        case .invalidDataLength(let bytes):
            return "field \"data\" holds \(bytes) bytes; an ERC-20 Transfer holds one 32-byte word"
        case .invalidTopic(let index, let detail): return "topics[\(index)] \(detail)"
        case .invalidBlockNumber: return "the block number (blockNumber, block_number) is not a block number"
        case .negativeBlockNumber: return "the block number (blockNumber, block_number) is negative"
        case .invalidTimestamp:
            return "the block time (timeStamp: unix seconds; timestamp: ISO 8601 with a zone) is unreadable"
        case .timestampOutOfRange(let seconds):
            return "timestamp \(seconds) is before 2015-07-30 or more than a day past the partition's end"
        case .blockTimeOutsidePartition(let blockTime, let partition):
            return "block time \(blockTime) is outside partition \(partition); the row belongs to another day"
        case .invalidTokenDecimals:
            return "the token decimals (tokenDecimal, total.decimals, token.decimals) are not empty "
                + "or an integer in 0...255"
        case .invalidLogIndex: return "the log index (logIndex, log_index) is not a non-negative integer"
        case .invalidString(let field): return "field \"\(field)\" holds a malformed string escape"
        }
    }
}

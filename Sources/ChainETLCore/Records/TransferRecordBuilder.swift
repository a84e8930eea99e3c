/// Assembles one canonical transfer record (schema `transfer/1`) from bytes, reusing its storage.
///
/// The normalizer's hot path fills the fields row after row without creating Strings, then calls
/// `assembleIdentityPrefix()`, looks up the occurrence, calls `finishIdentity(occurrence:)` and
/// `write(into:)`. Byte fields hold exactly what the record shows: lowercase `0x` hex for hashes
/// and addresses, decimal digits without leading zeros for `value`, UTF-8 text for symbol and name.
public struct TransferRecordBuilder: Sendable {
    public var chainID = 0
    public var blockNumber = 0
    /// Unix seconds of the block, written as `block_time`.
    public var blockTime = 0
    /// Empty means null (Blockscout getLogs rows carry no block hash).
    public var blockHash: [UInt8] = []
    public var txHash: [UInt8] = []
    public var logIndex: Int?
    public var occurrence = 0
    public var tokenAddress: [UInt8] = []
    public var fromAddress: [UInt8] = []
    public var toAddress: [UInt8] = []
    /// Decimal digits, no leading zeros ("0" for zero).
    public var value: [UInt8] = []
    /// The symbol's UTF-8 bytes when `hasTokenSymbol`, else null.
    public var tokenSymbol: [UInt8] = []
    public var hasTokenSymbol = false
    /// The name's UTF-8 bytes when `hasTokenName`, else null.
    public var tokenName: [UInt8] = []
    public var hasTokenName = false
    public var tokenDecimals: Int?
    public var source = TransferSource.etherscanLogs
    /// The 32 lowercase hex characters of `transfer_id`, set by `finishIdentity(occurrence:)`.
    public var transferID: [UInt8] = []
    /// The canonical identity text: `chain|tx|token|from|to|value|` after
    /// `assembleIdentityPrefix()`, plus the occurrence after `finishIdentity(occurrence:)`.
    public private(set) var identityText: [UInt8] = []

    /// Reserves every buffer once so the hot path never grows them.
    public init() {
        blockHash.reserveCapacity(66)
        txHash.reserveCapacity(66)
        tokenAddress.reserveCapacity(42)
        fromAddress.reserveCapacity(42)
        toAddress.reserveCapacity(42)
        value.reserveCapacity(80)
        tokenSymbol.reserveCapacity(64)
        tokenName.reserveCapacity(64)
        transferID.reserveCapacity(32)
        identityText.reserveCapacity(320)
        line.reserveCapacity(1024)
    }

    /// Empties every field, keeping the storage.
    public mutating func reset() {
        chainID = 0
        blockNumber = 0
        blockTime = 0
        blockHash.removeAll(keepingCapacity: true)
        txHash.removeAll(keepingCapacity: true)
        logIndex = nil
        occurrence = 0
        tokenAddress.removeAll(keepingCapacity: true)
        fromAddress.removeAll(keepingCapacity: true)
        toAddress.removeAll(keepingCapacity: true)
        value.removeAll(keepingCapacity: true)
        tokenSymbol.removeAll(keepingCapacity: true)
        hasTokenSymbol = false
        tokenName.removeAll(keepingCapacity: true)
        hasTokenName = false
        tokenDecimals = nil
        transferID.removeAll(keepingCapacity: true)
        identityText.removeAll(keepingCapacity: true)
    }

    /// Writes `chain|tx|token|from|to|value|` into `identityText`: the identity tuple that
    /// occurrences are counted over.
    public mutating func assembleIdentityPrefix() {
        identityText.removeAll(keepingCapacity: true)
        UInt256.appendDecimal(UInt64(bitPattern: Int64(chainID)), to: &identityText, minimumDigits: 1)
        identityText.append(UInt8(ascii: "|"))
        identityText.append(contentsOf: txHash)
        identityText.append(UInt8(ascii: "|"))
        identityText.append(contentsOf: tokenAddress)
        identityText.append(UInt8(ascii: "|"))
        identityText.append(contentsOf: fromAddress)
        identityText.append(UInt8(ascii: "|"))
        identityText.append(contentsOf: toAddress)
        identityText.append(UInt8(ascii: "|"))
        identityText.append(contentsOf: value)
        identityText.append(UInt8(ascii: "|"))
    }

    /// Appends `occurrence` to the assembled prefix and computes `transferID` from it.
    public mutating func finishIdentity(occurrence: Int) {
        self.occurrence = occurrence
        UInt256.appendDecimal(UInt64(occurrence), to: &identityText, minimumDigits: 1)
        transferID.removeAll(keepingCapacity: true)
        identityText.withUnsafeBytes { TransferIdentity.appendTransferID(ofCanonicalText: $0, to: &transferID) }
    }

    /// Appends the record as one NDJSON line, keys in the fixed order of docs/architecture.md.
    ///
    /// The line is assembled from constant fragments in a reusable buffer and handed to the
    /// writer in one piece: a third of the per-field calls of key/value writing.
    public mutating func write(into writer: inout JSONLineWriter) {
        line.removeAll(keepingCapacity: true)
        append("{\"transfer_id\":\"")
        line.append(contentsOf: transferID)
        append("\",\"chain_id\":")
        appendInt(chainID)
        append(",\"block_number\":")
        appendInt(blockNumber)
        append(",\"block_time\":\"")
        BlockTimeText.append(unixSeconds: blockTime, to: &line)
        append("\",\"block_hash\":")
        appendQuotedOrNull(blockHash, present: !blockHash.isEmpty)
        append(",\"tx_hash\":\"")
        line.append(contentsOf: txHash)
        append("\",\"log_index\":")
        if let logIndex { appendInt(logIndex) } else { append("null") }
        append(",\"occurrence\":")
        appendInt(occurrence)
        append(",\"token_address\":\"")
        line.append(contentsOf: tokenAddress)
        append("\",\"from_address\":\"")
        line.append(contentsOf: fromAddress)
        append("\",\"to_address\":\"")
        line.append(contentsOf: toAddress)
        append("\",\"value\":\"")
        line.append(contentsOf: value)
        append("\",\"token_symbol\":")
        appendText(tokenSymbol, present: hasTokenSymbol)
        append(",\"token_name\":")
        appendText(tokenName, present: hasTokenName)
        append(",\"token_decimals\":")
        if let tokenDecimals { appendInt(tokenDecimals) } else { append("null") }
        append(",\"source\":\"")
        line.append(contentsOf: source.utf8Name)
        append("\"}")
        line.withUnsafeBytes { writer.raw($0) }
        writer.newline()
    }

    /// The record line being assembled by `write(into:)`.
    private var line: [UInt8] = []

    private mutating func append(_ fragment: StaticString) {
        line.append(contentsOf: UnsafeRawBufferPointer(start: fragment.utf8Start, count: fragment.utf8CodeUnitCount))
    }

    private mutating func appendInt(_ value: Int) {
        if value < 0 { line.append(UInt8(ascii: "-")) }
        UInt256.appendDecimal(UInt64(value.magnitude), to: &line, minimumDigits: 1)
    }

    private mutating func appendQuotedOrNull(_ bytes: [UInt8], present: Bool) {
        guard present else {
            append("null")
            return
        }
        line.append(UInt8(ascii: "\""))
        line.append(contentsOf: bytes)
        line.append(UInt8(ascii: "\""))
    }

    /// Text that needs no JSON escaping (the usual case) is copied in one piece; otherwise `"`,
    /// `\\` and control bytes are escaped as JSON requires.
    private mutating func appendText(_ bytes: [UInt8], present: Bool) {
        guard present else {
            append("null")
            return
        }
        if bytes.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            appendQuotedOrNull(bytes, present: true)
            return
        }
        var escaped = JSONLineWriter(capacity: bytes.count + 8)
        bytes.withUnsafeBytes { escaped.string(utf8: $0) }
        line.append(contentsOf: escaped.bytes)
    }
}

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
        // Work on a local buffer: appending self's arrays to another of self's properties would
        // make the compiler copy (retain) them for exclusivity.
        var text = identityText
        identityText = []
        text.removeAll(keepingCapacity: true)
        UInt256.appendDecimal(UInt64(bitPattern: Int64(chainID)), to: &text, minimumDigits: 1)
        text.append(UInt8(ascii: "|"))
        txHash.withUnsafeBytes { text.append(contentsOf: $0) }
        text.append(UInt8(ascii: "|"))
        tokenAddress.withUnsafeBytes { text.append(contentsOf: $0) }
        text.append(UInt8(ascii: "|"))
        fromAddress.withUnsafeBytes { text.append(contentsOf: $0) }
        text.append(UInt8(ascii: "|"))
        toAddress.withUnsafeBytes { text.append(contentsOf: $0) }
        text.append(UInt8(ascii: "|"))
        value.withUnsafeBytes { text.append(contentsOf: $0) }
        text.append(UInt8(ascii: "|"))
        identityText = text
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
        // Assemble in a local buffer (see assembleIdentityPrefix) and put it back for reuse.
        var out = RecordLine(bytes: line)
        line = []
        out.bytes.removeAll(keepingCapacity: true)
        out.append("{\"transfer_id\":\"")
        out.append(transferID)
        out.append("\",\"chain_id\":")
        out.appendInt(chainID)
        out.append(",\"block_number\":")
        out.appendInt(blockNumber)
        out.append(",\"block_time\":\"")
        BlockTimeText.append(unixSeconds: blockTime, to: &out.bytes)
        out.append("\",\"block_hash\":")
        if blockHash.isEmpty {
            out.append("null")
        } else {
            out.append("\"")
            out.append(blockHash)
            out.append("\"")
        }
        out.append(",\"tx_hash\":\"")
        out.append(txHash)
        out.append("\",\"log_index\":")
        if let logIndex { out.appendInt(logIndex) } else { out.append("null") }
        out.append(",\"occurrence\":")
        out.appendInt(occurrence)
        out.append(",\"token_address\":\"")
        out.append(tokenAddress)
        out.append("\",\"from_address\":\"")
        out.append(fromAddress)
        out.append("\",\"to_address\":\"")
        out.append(toAddress)
        out.append("\",\"value\":\"")
        out.append(value)
        out.append("\",\"token_symbol\":")
        out.appendText(tokenSymbol, present: hasTokenSymbol)
        out.append(",\"token_name\":")
        out.appendText(tokenName, present: hasTokenName)
        out.append(",\"token_decimals\":")
        if let tokenDecimals { out.appendInt(tokenDecimals) } else { out.append("null") }
        out.append(",\"source\":\"")
        out.bytes.append(contentsOf: source.utf8Name)
        out.append("\"}")
        out.bytes.withUnsafeBytes { writer.raw($0) }
        writer.newline()
        line = out.bytes
    }

    /// The record line's storage, kept between calls of `write(into:)`.
    private var line: [UInt8] = []
}

/// The line under assembly in `TransferRecordBuilder.write(into:)`.
private struct RecordLine {
    var bytes: [UInt8]

    mutating func append(_ fragment: StaticString) {
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: fragment.utf8Start, count: fragment.utf8CodeUnitCount))
    }

    mutating func append(_ field: [UInt8]) {
        field.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    mutating func appendInt(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        UInt256.appendDecimal(UInt64(value.magnitude), to: &bytes, minimumDigits: 1)
    }

    /// Text that needs no JSON escaping (the usual case) is copied in one piece; otherwise `"`,
    /// `\\` and control bytes are escaped as JSON requires.
    mutating func appendText(_ text: [UInt8], present: Bool) {
        guard present else {
            append("null")
            return
        }
        if text.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            bytes.append(UInt8(ascii: "\""))
            append(text)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        var escaped = JSONLineWriter(capacity: text.count + 8)
        text.withUnsafeBytes { escaped.string(utf8: $0) }
        bytes.append(contentsOf: escaped.bytes)
    }
}

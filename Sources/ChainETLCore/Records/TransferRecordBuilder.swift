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
        line = [UInt8](repeating: 0, count: 1024)
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
    /// The line is assembled from constant fragments in a reusable buffer, through a raw cursor
    /// (no per-fragment bounds or uniqueness checks), and handed to the writer in one piece.
    public mutating func write(into writer: inout JSONLineWriter) {
        // Fixed text (keys and punctuation, 260 bytes), five integers of at most 20 bytes, the
        // block time, the variable fields, and symbol and name at 6 bytes per byte when escaped.
        let bound =
            512 + transferID.count + blockHash.count + txHash.count + tokenAddress.count + fromAddress.count
            + toAddress.count + value.count + 6 * (tokenSymbol.count + tokenName.count)
        // Work on a local buffer (see assembleIdentityPrefix) and put it back for reuse.
        var storage = line
        line = []
        if storage.count < bound { storage = [UInt8](repeating: 0, count: max(bound, 1024)) }
        let written = storage.withUnsafeMutableBytes { raw -> Int in
            var out = RecordCursor(start: raw.baseAddress!)
            out.put("{\"transfer_id\":\"")
            out.put(transferID)
            out.put("\",\"chain_id\":")
            out.putInt(chainID)
            out.put(",\"block_number\":")
            out.putInt(blockNumber)
            out.put(",\"block_time\":\"")
            BlockTimeText.write(
                unixSeconds: blockTime, into: UnsafeMutableRawBufferPointer(start: out.pointer, count: BlockTimeText.length))
            out.pointer += BlockTimeText.length
            out.put("\",\"block_hash\":")
            if blockHash.isEmpty {
                out.put("null")
            } else {
                out.put("\"")
                out.put(blockHash)
                out.put("\"")
            }
            out.put(",\"tx_hash\":\"")
            out.put(txHash)
            out.put("\",\"log_index\":")
            if let logIndex { out.putInt(logIndex) } else { out.put("null") }
            out.put(",\"occurrence\":")
            out.putInt(occurrence)
            out.put(",\"token_address\":\"")
            out.put(tokenAddress)
            out.put("\",\"from_address\":\"")
            out.put(fromAddress)
            out.put("\",\"to_address\":\"")
            out.put(toAddress)
            out.put("\",\"value\":\"")
            out.put(value)
            out.put("\",\"token_symbol\":")
            out.putText(tokenSymbol, present: hasTokenSymbol)
            out.put(",\"token_name\":")
            out.putText(tokenName, present: hasTokenName)
            out.put(",\"token_decimals\":")
            if let tokenDecimals { out.putInt(tokenDecimals) } else { out.put("null") }
            out.put(",\"source\":\"")
            out.put(source.utf8Name)
            out.put("\"}")
            let count = out.pointer - raw.baseAddress!
            precondition(count <= raw.count, "record line bound exceeded")
            return count
        }
        storage.withUnsafeBytes { writer.raw(UnsafeRawBufferPointer(rebasing: $0[..<written])) }
        writer.newline()
        line = storage
    }

    /// The record line's storage, kept between calls of `write(into:)`; its count is its
    /// capacity, of which each call uses the start.
    private var line: [UInt8] = []
}

/// Writes a record line at a raw pointer into storage that `TransferRecordBuilder.write(into:)`
/// sized for the whole line beforehand.
private struct RecordCursor {
    var pointer: UnsafeMutableRawPointer

    init(start: UnsafeMutableRawPointer) {
        pointer = start
    }

    @inline(__always)
    mutating func put(_ fragment: StaticString) {
        pointer.copyMemory(from: fragment.utf8Start, byteCount: fragment.utf8CodeUnitCount)
        pointer += fragment.utf8CodeUnitCount
    }

    @inline(__always)
    mutating func put(_ field: [UInt8]) {
        field.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            pointer.copyMemory(from: base, byteCount: bytes.count)
            pointer += bytes.count
        }
    }

    @inline(__always)
    mutating func put(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        pointer.copyMemory(from: base, byteCount: bytes.count)
        pointer += bytes.count
    }

    @inline(__always)
    mutating func putByte(_ byte: UInt8) {
        pointer.storeBytes(of: byte, as: UInt8.self)
        pointer += 1
    }

    /// Decimal digits of `value` (20 at most, plus a sign).
    mutating func putInt(_ value: Int) {
        if value < 0 { putByte(UInt8(ascii: "-")) }
        UInt256.withDecimalDigits(UInt64(value.magnitude), minimumDigits: 1) { put($0) }
    }

    /// Text as a JSON string: copied in one piece when it needs no escaping (the usual case);
    /// otherwise escaped by `JSONLineWriter` (at most 6 bytes per byte, plus the quotes).
    mutating func putText(_ text: [UInt8], present: Bool) {
        guard present else {
            put("null")
            return
        }
        if text.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            putByte(UInt8(ascii: "\""))
            put(text)
            putByte(UInt8(ascii: "\""))
            return
        }
        var escaped = JSONLineWriter(capacity: text.count + 8)
        text.withUnsafeBytes { escaped.string(utf8: $0) }
        put(escaped.bytes)
    }
}

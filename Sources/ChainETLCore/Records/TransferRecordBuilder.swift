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
    public func write(into writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.key("transfer_id")
        transferID.withUnsafeBytes { writer.plainString($0) }
        writer.key("chain_id")
        writer.int(chainID)
        writer.key("block_number")
        writer.int(blockNumber)
        writer.key("block_time")
        // 20 bytes of ISO text formatted in a stack tuple: no heap traffic per row.
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { raw in
            BlockTimeText.write(unixSeconds: blockTime, into: raw)
            writer.plainString(UnsafeRawBufferPointer(rebasing: raw[0..<BlockTimeText.length]))
        }
        writer.key("block_hash")
        writeHex(blockHash, into: &writer)
        writer.key("tx_hash")
        txHash.withUnsafeBytes { writer.plainString($0) }
        writer.key("log_index")
        if let logIndex { writer.int(logIndex) } else { writer.null() }
        writer.key("occurrence")
        writer.int(occurrence)
        writer.key("token_address")
        tokenAddress.withUnsafeBytes { writer.plainString($0) }
        writer.key("from_address")
        fromAddress.withUnsafeBytes { writer.plainString($0) }
        writer.key("to_address")
        toAddress.withUnsafeBytes { writer.plainString($0) }
        writer.key("value")
        value.withUnsafeBytes { writer.plainString($0) }
        writer.key("token_symbol")
        if hasTokenSymbol { tokenSymbol.withUnsafeBytes { writer.string(utf8: $0) } } else { writer.null() }
        writer.key("token_name")
        if hasTokenName { tokenName.withUnsafeBytes { writer.string(utf8: $0) } } else { writer.null() }
        writer.key("token_decimals")
        if let tokenDecimals { writer.int(tokenDecimals) } else { writer.null() }
        writer.key("source")
        writer.plainString(source.utf8Name)
        writer.endObject()
        writer.newline()
    }

    private func writeHex(_ bytes: [UInt8], into writer: inout JSONLineWriter) {
        if bytes.isEmpty {
            writer.null()
        } else {
            bytes.withUnsafeBytes { writer.plainString($0) }
        }
    }
}

/// One canonical transfer record (schema `transfer/1`, `schemas/records/transfer.schema.json`) as
/// values, for consumers off the hot path: tests, load, exports.
///
/// `TransferRecordBuilder` writes the same bytes without allocating; `write(into:)` goes through it,
/// so both produce identical lines.
public struct TransferRecord: Sendable, Hashable {
    /// 32 lowercase hex characters.
    public var transferID: String
    public var chainID: Int
    public var blockNumber: Int
    /// Unix seconds (UTC); written as `YYYY-MM-DDTHH:MM:SSZ`.
    public var blockTime: Int
    public var blockHash: String?
    public var txHash: String
    public var logIndex: Int?
    public var occurrence: Int
    public var tokenAddress: String
    public var fromAddress: String
    public var toAddress: String
    public var value: UInt256
    public var tokenSymbol: String?
    public var tokenName: String?
    public var tokenDecimals: Int?
    public var source: TransferSource

    public init(
        transferID: String, chainID: Int, blockNumber: Int, blockTime: Int, blockHash: String?, txHash: String,
        logIndex: Int?, occurrence: Int, tokenAddress: String, fromAddress: String, toAddress: String,
        value: UInt256, tokenSymbol: String?, tokenName: String?, tokenDecimals: Int?, source: TransferSource
    ) {
        self.transferID = transferID
        self.chainID = chainID
        self.blockNumber = blockNumber
        self.blockTime = blockTime
        self.blockHash = blockHash
        self.txHash = txHash
        self.logIndex = logIndex
        self.occurrence = occurrence
        self.tokenAddress = tokenAddress
        self.fromAddress = fromAddress
        self.toAddress = toAddress
        self.value = value
        self.tokenSymbol = tokenSymbol
        self.tokenName = tokenName
        self.tokenDecimals = tokenDecimals
        self.source = source
    }

    /// The identity this record's `transferID` is the digest of.
    public var identity: TransferIdentity {
        TransferIdentity(
            chainID: chainID, txHash: txHash, tokenAddress: tokenAddress, fromAddress: fromAddress,
            toAddress: toAddress, value: value.description, occurrence: occurrence)
    }

    /// `block_time` as written: `YYYY-MM-DDTHH:MM:SSZ`.
    public var blockTimeText: String {
        var text: [UInt8] = []
        BlockTimeText.append(unixSeconds: blockTime, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the record as one NDJSON line (with its newline), byte-identical to the hot path.
    public func write(into writer: inout JSONLineWriter) {
        var builder = TransferRecordBuilder()
        builder.transferID = Array(transferID.utf8)
        builder.chainID = chainID
        builder.blockNumber = blockNumber
        builder.blockTime = blockTime
        builder.blockHash = blockHash.map { Array($0.utf8) } ?? []
        builder.txHash = Array(txHash.utf8)
        builder.logIndex = logIndex
        builder.occurrence = occurrence
        builder.tokenAddress = Array(tokenAddress.utf8)
        builder.fromAddress = Array(fromAddress.utf8)
        builder.toAddress = Array(toAddress.utf8)
        builder.value = []
        value.appendDecimal(to: &builder.value)
        builder.hasTokenSymbol = tokenSymbol != nil
        builder.tokenSymbol = Array((tokenSymbol ?? "").utf8)
        builder.hasTokenName = tokenName != nil
        builder.tokenName = Array((tokenName ?? "").utf8)
        builder.tokenDecimals = tokenDecimals
        builder.source = source
        builder.write(into: &writer)
    }

    /// Parses one canonical record line (without or with its trailing newline).
    ///
    /// Every field of the schema is required (nullable ones as `null`); unknown keys are refused
    /// so a record from a newer schema is not silently truncated.
    public init(parsing line: UnsafeRawBufferPointer) throws {
        let scanner = JSONScanner(bytes: line)
        let root: JSONSlice
        do {
            root = try scanner.root()
        } catch {
            throw TransferRecordError.notJSON(String(describing: error))
        }
        guard root.kind == .object else { throw TransferRecordError.notAnObject }
        var fields = [String: JSONSlice]()
        try scanner.forEachMember(of: root) { key, value in
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[key]), as: UTF8.self)
            guard Self.fieldNames.contains(name) else { throw TransferRecordError.unknownField(name) }
            fields[name] = value
            return true
        }
        func slice(_ name: String) throws -> JSONSlice {
            guard let value = fields[name] else { throw TransferRecordError.missingField(name) }
            return value
        }
        func string(_ name: String) throws -> String {
            let value = try slice(name)
            guard value.kind == .string else { throw TransferRecordError.wrongType(field: name, expected: "string") }
            return try scanner.string(value)
        }
        func optionalString(_ name: String) throws -> String? {
            try slice(name).kind == .null ? nil : try string(name)
        }
        func int(_ name: String) throws -> Int {
            let value = try slice(name)
            guard value.kind == .number, let number = Int(String(decoding: scanner.rawBytes(value), as: UTF8.self))
            else { throw TransferRecordError.wrongType(field: name, expected: "integer") }
            return number
        }
        func optionalInt(_ name: String) throws -> Int? {
            try slice(name).kind == .null ? nil : try int(name)
        }
        let timeText = try string("block_time")
        var timeCopy = timeText
        guard let time = timeCopy.withUTF8({ BlockTimeText.parse(UnsafeRawBufferPointer($0)) }) else {
            throw TransferRecordError.wrongType(field: "block_time", expected: "YYYY-MM-DDTHH:MM:SSZ")
        }
        let valueText = try string("value")
        guard let value = UInt256(decimal: valueText) else {
            throw TransferRecordError.wrongType(field: "value", expected: "decimal digits ≤ 2^256 − 1")
        }
        let sourceText = try string("source")
        guard let source = TransferSource(rawValue: sourceText) else {
            throw TransferRecordError.wrongType(field: "source", expected: "a known source")
        }
        self.init(
            transferID: try string("transfer_id"), chainID: try int("chain_id"), blockNumber: try int("block_number"),
            blockTime: time, blockHash: try optionalString("block_hash"), txHash: try string("tx_hash"),
            logIndex: try optionalInt("log_index"), occurrence: try int("occurrence"),
            tokenAddress: try string("token_address"), fromAddress: try string("from_address"),
            toAddress: try string("to_address"), value: value, tokenSymbol: try optionalString("token_symbol"),
            tokenName: try optionalString("token_name"), tokenDecimals: try optionalInt("token_decimals"),
            source: source)
    }

    /// Parses one canonical record line.
    public init(parsing line: [UInt8]) throws {
        self = try line.withUnsafeBytes { try TransferRecord(parsing: $0) }
    }

    /// The keys of a record, in the order they are written.
    public static let fieldNames: [String] = [
        "transfer_id", "chain_id", "block_number", "block_time", "block_hash", "tx_hash", "log_index", "occurrence",
        "token_address", "from_address", "to_address", "value", "token_symbol", "token_name", "token_decimals",
        "source",
    ]
}

import ChainETLCore

/// Reads and validates the fields of one explorer row into a `TransferRecordBuilder`.
///
/// Log sources (getLogs) carry every number as 0x-hex (`"0x"` is zero) and the transfer encoded
/// in topics and data; tokentx sources carry decoded fields as decimal strings.
struct RowReader {
    let scanner: JSONScanner
    let fields: RawRowFields
    let source: TransferSource

    // MARK: - getLogs rows

    /// An ERC-20 `Transfer` log: topic0 = Transfer, exactly 3 topics, one 32-byte data word.
    func readLog(into builder: inout TransferRecordBuilder) throws(RowRejection) {
        let (from, to) = try classifyTopics()
        try readTopicAddress(from, index: 1, into: &builder.fromAddress)
        try readTopicAddress(to, index: 2, into: &builder.toAddress)
        try readDataWord(into: &builder.value)
        try readAddress(fields.address, field: "address", into: &builder.tokenAddress)
        try readHash(fields.transactionHash, field: "transactionHash", into: &builder.txHash)
        builder.blockNumber = try readInt(
            fields.blockNumber, field: "blockNumber", malformed: .invalidBlockNumber, negative: .negativeBlockNumber)
        builder.blockTime = try readInt(
            fields.timeStamp, field: "timeStamp", malformed: .invalidTimestamp, negative: .invalidTimestamp)
        builder.logIndex = try readInt(
            fields.logIndex, field: "logIndex", malformed: .invalidLogIndex, negative: .invalidLogIndex)
        try readBlockHash(fields.blockHash, into: &builder.blockHash)
    }

    /// Returns topics 1 and 2 of an ERC-20 Transfer, or excludes/quarantines the log.
    ///
    /// Blockscout pads topics to 4 with null, so only non-null entries count, and a non-null
    /// topic after a null one is malformed.
    private func classifyTopics() throws(RowRejection) -> (JSONSlice, JSONSlice) {
        guard let topics = fields.topics else { throw .quarantine(.missingField("topics")) }
        guard topics.kind == .array else { throw .quarantine(.wrongType(field: "topics", expected: "an array")) }
        var first: (JSONSlice?, JSONSlice?, JSONSlice?) = (nil, nil, nil)
        var count = 0
        var index = 0
        var sawNull = false
        var problem: QuarantineReason?
        do {
            try RawLineWalker(scanner: scanner).forEachElement(of: topics) { element in
                defer { index += 1 }
                switch element.kind {
                case .null:
                    sawNull = true
                case .string where !sawNull:
                    switch count {
                    case 0: first.0 = element
                    case 1: first.1 = element
                    case 2: first.2 = element
                    default: break
                    }
                    count += 1
                case .string:
                    problem = .invalidTopic(index: index, detail: "follows a null topic")
                    return false
                default:
                    problem = .invalidTopic(index: index, detail: "is not a hex string")
                    return false
                }
                return true
            }
        } catch {
            throw .quarantine(.invalidJSON(detail: String(describing: error)))
        }
        if let problem { throw .quarantine(problem) }
        guard let topic0 = first.0 else { throw .exclude(.notTransferEvent) }
        let signature = scanner.rawBytes(topic0)
        guard signature.count == 66, HexText.hasPrefix(signature), HexText.isHex(signature, 2..<66) else {
            throw .quarantine(.invalidTopic(index: 0, detail: "is not 0x + 64 hex digits"))
        }
        guard Self.equalsIgnoringCase(signature, TransferNormalizer.transferTopic) else {
            throw .exclude(.notTransferEvent)
        }
        if count == 4 { throw .exclude(.erc721Transfer) }
        guard count == 3, let from = first.1, let to = first.2 else { throw .exclude(.nonStandardTransfer) }
        return (from, to)
    }

    /// The address in an indexed topic: a 32-byte word whose upper 12 bytes are zero.
    private func readTopicAddress(_ topic: JSONSlice, index: Int, into buffer: inout [UInt8]) throws(RowRejection) {
        let text = scanner.rawBytes(topic)
        guard text.count == 66, HexText.hasPrefix(text), HexText.isHex(text, 2..<66) else {
            throw .quarantine(.invalidTopic(index: index, detail: "is not 0x + 64 hex digits"))
        }
        var padding: UInt8 = 0
        for position in 2..<26 { padding |= text[position] ^ UInt8(ascii: "0") }
        guard padding == 0 else {
            throw .quarantine(.invalidTopic(index: index, detail: "does not hold a zero-padded address"))
        }
        buffer.removeAll(keepingCapacity: true)
        buffer.append(UInt8(ascii: "0"))
        buffer.append(UInt8(ascii: "x"))
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[26..<66]))
        // Setting bit 0x20 lowercases A-F and leaves digits unchanged.
        buffer.withUnsafeMutableBufferPointer { bytes in
            for index in 2..<bytes.count { bytes[index] |= 0x20 }
        }
    }

    /// `data` as one 32-byte word, written as decimal digits.
    private func readDataWord(into buffer: inout [UInt8]) throws(RowRejection) {
        guard let data = fields.data else { throw .quarantine(.missingField("data")) }
        guard data.kind == .string else { throw .quarantine(.wrongType(field: "data", expected: "a hex string")) }
        let text = scanner.rawBytes(data)
        guard HexText.hasPrefix(text), HexText.isHex(text, 2..<text.count), text.count % 2 == 0 else {
            throw .quarantine(.invalidHexValue)
        }
        guard text.count == 66 else { throw .quarantine(.invalidDataLength(bytes: (text.count - 2) / 2)) }
        guard let value = UInt256(hexUTF8: text) else { throw .quarantine(.invalidHexValue) }
        buffer.removeAll(keepingCapacity: true)
        value.appendDecimal(to: &buffer)
    }

    // MARK: - tokentx rows

    /// A tokentx row: decoded fields as decimal strings, no `logIndex` (older Blockscout sent one).
    func readTokenTransfer(into builder: inout TransferRecordBuilder) throws(RowRejection) {
        try readHash(fields.hash, field: "hash", into: &builder.txHash)
        try readAddress(fields.from, field: "from", into: &builder.fromAddress)
        try readAddress(fields.to, field: "to", into: &builder.toAddress)
        try readAddress(fields.contractAddress, field: "contractAddress", into: &builder.tokenAddress)
        try readDecimalValue(fields.value, field: "value", into: &builder.value)
        builder.blockNumber = try readInt(
            fields.blockNumber, field: "blockNumber", malformed: .invalidBlockNumber, negative: .negativeBlockNumber)
        builder.blockTime = try readInt(
            fields.timeStamp, field: "timeStamp", malformed: .invalidTimestamp, negative: .invalidTimestamp)
        if let logIndex = fields.logIndex, logIndex.kind != .null {
            builder.logIndex = try readInt(
                logIndex, field: "logIndex", malformed: .invalidLogIndex, negative: .invalidLogIndex)
        }
        try readBlockHash(fields.blockHash, into: &builder.blockHash)
        builder.tokenDecimals = try readTokenDecimals(fields.tokenDecimal)
        builder.hasTokenSymbol = try readText(fields.tokenSymbol, field: "tokenSymbol", into: &builder.tokenSymbol)
        builder.hasTokenName = try readText(fields.tokenName, field: "tokenName", into: &builder.tokenName)
    }

    /// A value as decimal digits without leading zeros, at most 2^256 − 1.
    func readDecimalValue(_ value: JSONSlice?, field: String, into buffer: inout [UInt8]) throws(RowRejection) {
        guard let value else { throw .quarantine(.missingField(field)) }
        guard value.kind == .string || value.kind == .number else {
            throw .quarantine(.wrongType(field: field, expected: "a decimal string"))
        }
        let text = scanner.rawBytes(value)
        guard !text.isEmpty else { throw .quarantine(.invalidValue) }
        if text[0] == UInt8(ascii: "-") {
            let digits = text.count > 1 && HexText.isDecimal(text, 1..<text.count)
            throw .quarantine(digits ? .negativeValue : .invalidValue)
        }
        guard HexText.isDecimal(text, 0..<text.count) else { throw .quarantine(.invalidValue) }
        var first = 0
        while first < text.count - 1, text[first] == UInt8(ascii: "0") { first += 1 }
        let digits = UnsafeRawBufferPointer(rebasing: text[first...])
        guard UInt256.decimalDigitsFit(digits) else { throw .quarantine(.valueOutOfRange) }
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: digits)
    }

    /// Token decimals (`tokenDecimal`; v2 `decimals`): absent, null or `""` is null; otherwise an
    /// integer in 0...255.
    func readTokenDecimals(_ slice: JSONSlice?) throws(RowRejection) -> Int? {
        guard let slice, slice.kind != .null else { return nil }
        guard slice.kind == .string || slice.kind == .number else { throw .quarantine(.invalidTokenDecimals) }
        let text = scanner.rawBytes(slice)
        if text.isEmpty { return nil }
        guard text.count <= 3, case .value(let decimals) = HexText.int(decimal: text), decimals <= 255 else {
            throw .quarantine(.invalidTokenDecimals)
        }
        return decimals
    }

    /// A token symbol or name: absent, null or `""` is null (returns false). Escapes are decoded,
    /// invalid UTF-8 is replaced by U+FFFD, and U+0000 is dropped (Postgres text cannot hold it).
    func readText(_ slice: JSONSlice?, field: String, into buffer: inout [UInt8]) throws(RowRejection) -> Bool {
        buffer.removeAll(keepingCapacity: true)
        guard let slice, slice.kind != .null else { return false }
        guard slice.kind == .string else { throw .quarantine(.wrongType(field: field, expected: "a string")) }
        if !scanner.hasEscapes(slice) {
            let text = scanner.rawBytes(slice)
            if text.allSatisfy({ $0 < 0x80 }) {
                buffer.append(contentsOf: text)
            } else {
                buffer.append(contentsOf: String(decoding: text, as: UTF8.self).utf8)
            }
        } else {
            guard let decoded = try? scanner.string(slice) else { throw .quarantine(.invalidString(field: field)) }
            buffer.append(contentsOf: decoded.utf8.lazy.filter { $0 != 0 })
        }
        return !buffer.isEmpty
    }

    // MARK: - Shared fields

    /// An address field: `0x` + 40 hex digits, lowercased.
    func readAddress(_ slice: JSONSlice?, field: String, into buffer: inout [UInt8]) throws(RowRejection) {
        guard let slice else { throw .quarantine(.missingField(field)) }
        guard slice.kind == .string, HexText.copyLowercased(scanner.rawBytes(slice), digits: 40, into: &buffer) else {
            throw .quarantine(.invalidAddress(field: field))
        }
    }

    /// A transaction hash field: `0x` + 64 hex digits, lowercased.
    func readHash(_ slice: JSONSlice?, field: String, into buffer: inout [UInt8]) throws(RowRejection) {
        guard let slice else { throw .quarantine(.missingField(field)) }
        guard slice.kind == .string, HexText.copyLowercased(scanner.rawBytes(slice), digits: 64, into: &buffer) else {
            throw .quarantine(.invalidTxHash(field: field))
        }
    }

    /// A block hash: absent, null or `""` is null (Blockscout getLogs has none); else 0x + 64 hex.
    func readBlockHash(_ slice: JSONSlice?, into buffer: inout [UInt8]) throws(RowRejection) {
        buffer.removeAll(keepingCapacity: true)
        guard let slice, slice.kind != .null else { return }
        guard slice.kind == .string else { throw .quarantine(.invalidBlockHash) }
        let text = scanner.rawBytes(slice)
        if text.isEmpty { return }
        guard HexText.copyLowercased(text, digits: 64, into: &buffer) else { throw .quarantine(.invalidBlockHash) }
    }

    /// A non-negative integer in the source's notation: 0x-hex strings for log sources (`"0x"` is
    /// zero), decimal strings (or bare JSON integers) for tokentx and Blockscout v2 sources.
    func readInt(
        _ slice: JSONSlice?, field: String, malformed: QuarantineReason, negative: QuarantineReason
    ) throws(RowRejection) -> Int {
        guard let slice else { throw .quarantine(.missingField(field)) }
        let parsed: HexText.NumberParse
        if source.isLogSource {
            guard slice.kind == .string else {
                throw .quarantine(.wrongType(field: field, expected: "a 0x-hex string"))
            }
            parsed = HexText.int(hex: scanner.rawBytes(slice))
        } else {
            guard slice.kind == .string || slice.kind == .number else {
                throw .quarantine(.wrongType(field: field, expected: "a decimal string"))
            }
            parsed = HexText.int(decimal: scanner.rawBytes(slice))
        }
        switch parsed {
        case .value(let value): return value
        case .negative: throw .quarantine(negative)
        case .malformed: throw .quarantine(malformed)
        }
    }

    private static func equalsIgnoringCase(_ text: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard text.count == literal.utf8CodeUnitCount else { return false }
        let expected = literal.utf8Start
        for index in 0..<text.count where text[index] | 0x20 != expected[index] | 0x20 {
            return false
        }
        return true
    }
}

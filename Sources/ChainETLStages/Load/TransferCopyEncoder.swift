import ChainETLCore

/// Turns canonical transfer lines (`transfer/1`) into rows of `COPY transfers (…) FROM STDIN`
/// text format, byte by byte.
///
/// This is the load's hot path: no `String` or `Array` is created per row. Hex, digits and
/// timestamps are copied as they are (a JSON string without escapes cannot hold a backslash or a
/// control byte, so it needs no COPY escaping); only strings with JSON escapes (token names with
/// tabs, quotes, `\u` sequences) are decoded and re-escaped for COPY. Postgres text cannot hold
/// NUL, so a decoded U+0000 becomes U+FFFD and is counted in `replacedNULs`.
package struct TransferCopyEncoder {
    /// The `transfers` columns every row fills, in order: the 16 record fields, then `pipeline`
    /// and `loaded_at`.
    package static let columns: [String] = fields.map { "\($0.name)" } + ["pipeline", "loaded_at"]

    /// The escaped row built by the last successful `encode`, without its newline.
    package private(set) var row: [UInt8] = []
    /// NUL characters (JSON `\u0000`) written as U+FFFD so far.
    package private(set) var replacedNULs = 0

    private let pipelineField: [UInt8]
    private let loadedAtField: [UInt8]
    private let dayPrefix: [UInt8]
    private let chainIDs: [Int]?
    private let input: String
    private var slices: [JSONSlice]

    /// - Parameters:
    ///   - pipeline: written into `pipeline` on every row.
    ///   - partition: the day every `block_time` must fall in.
    ///   - chainIDs: the chains to keep; rows of other chains are skipped (nil keeps every chain).
    ///   - loadedAt: `loaded_at` text (ISO 8601), the same for every row of one load.
    ///   - input: the input's name, for error messages.
    package init(pipeline: String, partition: PartitionDay, chainIDs: [Int]?, loadedAt: String, input: String) {
        var escaped: [UInt8] = []
        Self.appendEscaped(Array(pipeline.utf8), to: &escaped)
        pipelineField = escaped
        escaped.removeAll()
        Self.appendEscaped(Array(loadedAt.utf8), to: &escaped)
        loadedAtField = escaped
        dayPrefix = Array(partition.description.utf8)
        self.chainIDs = chainIDs
        self.input = input
        slices = Array(repeating: JSONSlice(kind: .null, range: 0..<0), count: Self.fields.count)
        row.reserveCapacity(1024)
    }

    /// Encodes one record line into `row`; returns its `chain_id`, or nil when the chain is not loaded.
    ///
    /// - Throws: `LoadError.invalidRecord` or `.rowOutsidePartition`, naming `lineNumber`.
    package mutating func encode(_ line: UnsafeRawBufferPointer, lineNumber: Int) throws -> Int? {
        let scanner = JSONScanner(bytes: line)
        let object: JSONSlice
        do {
            object = try scanner.value(at: 0)
            guard object.kind == .object, scanner.skipWhitespace(from: object.range.upperBound) == line.count else {
                throw invalid(lineNumber, nil, "not a JSON object on one line")
            }
        } catch let error as LoadError {
            throw error
        } catch {
            throw invalid(lineNumber, nil, "not JSON (\(error))")
        }
        try collectFields(scanner, object, lineNumber)

        let chainID = try integer(scanner, Self.chainIDIndex, lineNumber)
        if let chainIDs, !chainIDs.contains(chainID) { return nil }
        try checkBlockTime(scanner, lineNumber)

        row.removeAll(keepingCapacity: true)
        for index in 0..<Self.fields.count {
            if index > 0 { row.append(0x09) }
            try appendField(index, scanner, lineNumber)
        }
        row.append(0x09)
        row.append(contentsOf: pipelineField)
        row.append(0x09)
        row.append(contentsOf: loadedAtField)
        return chainID
    }

    // MARK: - Fields

    private enum FieldKind {
        /// 32 lowercase hex characters, written as bytea `\\x…`.
        case transferID
        /// Non-negative decimal integer.
        case integer
        /// Non-negative decimal integer or null.
        case optionalInteger
        /// `YYYY-MM-DDTHH:MM:SSZ`.
        case timestamp
        /// A string.
        case text
        /// A string or null.
        case optionalText
        /// A string of decimal digits (uint256).
        case decimal
    }

    /// The record's fields in the order normalize writes them (docs/architecture.md).
    private static let fields: [(name: StaticString, kind: FieldKind)] = [
        ("transfer_id", .transferID), ("chain_id", .integer), ("block_number", .integer),
        ("block_time", .timestamp), ("block_hash", .optionalText), ("tx_hash", .text),
        ("log_index", .optionalInteger), ("occurrence", .integer), ("token_address", .text),
        ("from_address", .text), ("to_address", .text), ("value", .decimal), ("token_symbol", .optionalText),
        ("token_name", .optionalText), ("token_decimals", .optionalInteger), ("source", .text),
    ]
    private static let chainIDIndex = 1
    private static let blockTimeIndex = 3
    private static let allFieldsMask: UInt32 = (1 << UInt32(fields.count)) - 1

    /// Stores each member's slice at its field index; refuses unknown, repeated and missing keys.
    private mutating func collectFields(_ scanner: JSONScanner, _ object: JSONSlice, _ lineNumber: Int) throws {
        var seen: UInt32 = 0
        var expected = 0
        var unknown: Range<Int>?
        try scanner.forEachMember(of: object) { key, value in
            // Records come in the fixed order; try the next expected key before searching.
            var index = expected < Self.fields.count && scanner.equals(key, Self.fields[expected].name) ? expected : -1
            if index < 0 {
                index = Self.fields.firstIndex { scanner.equals(key, $0.name) } ?? -1
            }
            guard index >= 0, seen & (1 << UInt32(index)) == 0 else {
                unknown = key
                return false
            }
            seen |= 1 << UInt32(index)
            slices[index] = value
            expected = index + 1
            return true
        }
        if let unknown {
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: scanner.bytes[unknown]), as: UTF8.self)
            let reason =
                Self.fields.contains { scanner.equals(unknown, $0.name) }
                ? "appears twice" : "is not a transfer/1 field"
            throw invalid(lineNumber, name, reason)
        }
        if seen != Self.allFieldsMask {
            let missing = Self.fields.indices.first { seen & (1 << UInt32($0)) == 0 } ?? 0
            throw invalid(lineNumber, "\(Self.fields[missing].name)", "is missing")
        }
    }

    private mutating func appendField(_ index: Int, _ scanner: JSONScanner, _ lineNumber: Int) throws {
        let slice = slices[index]
        let field = Self.fields[index]
        if slice.kind == .null {
            switch field.kind {
            case .optionalInteger, .optionalText:
                row.append(0x5C)
                row.append(UInt8(ascii: "N"))
                return
            default:
                throw invalid(lineNumber, "\(field.name)", "is null")
            }
        }
        switch field.kind {
        case .transferID:
            let bytes = try plainString(scanner, index, lineNumber)
            guard bytes.count == 32, bytes.allSatisfy(Self.isLowercaseHex) else {
                throw invalid(lineNumber, "\(field.name)", "is not 32 lowercase hex digits")
            }
            // bytea hex input `\x…`, with the backslash doubled for COPY text.
            row.append(0x5C)
            row.append(0x5C)
            row.append(UInt8(ascii: "x"))
            row.append(contentsOf: bytes)
        case .integer, .optionalInteger:
            guard slice.kind == .number else { throw invalid(lineNumber, "\(field.name)", "is not an integer") }
            let bytes = scanner.rawBytes(slice)
            guard bytes.count <= 19, bytes.allSatisfy(Self.isDigit) else {
                throw invalid(lineNumber, "\(field.name)", "is not a non-negative integer")
            }
            row.append(contentsOf: bytes)
        case .timestamp:
            // Checked by checkBlockTime before any field is written.
            row.append(contentsOf: scanner.rawBytes(slice))
        case .decimal:
            let bytes = try plainString(scanner, index, lineNumber)
            guard !bytes.isEmpty, bytes.count <= 78, bytes.allSatisfy(Self.isDigit) else {
                throw invalid(lineNumber, "\(field.name)", "is not a decimal uint256")
            }
            row.append(contentsOf: bytes)
        case .text, .optionalText:
            guard slice.kind == .string else { throw invalid(lineNumber, "\(field.name)", "is not a string") }
            if scanner.hasEscapes(slice) {
                let decoded: String
                do {
                    decoded = try scanner.string(slice)
                } catch {
                    throw invalid(lineNumber, "\(field.name)", "has an invalid escape (\(error))")
                }
                replacedNULs += Self.appendEscaped(Array(decoded.utf8), to: &row)
            } else {
                row.append(contentsOf: scanner.rawBytes(slice))
            }
        }
    }

    /// The bytes of a string field that must not hold escapes (ids, digits).
    private func plainString(_ scanner: JSONScanner, _ index: Int, _ lineNumber: Int) throws -> UnsafeRawBufferPointer {
        let slice = slices[index]
        guard slice.kind == .string, !scanner.hasEscapes(slice) else {
            throw invalid(lineNumber, "\(Self.fields[index].name)", "is not a plain string")
        }
        return scanner.rawBytes(slice)
    }

    private func integer(_ scanner: JSONScanner, _ index: Int, _ lineNumber: Int) throws -> Int {
        let slice = slices[index]
        let bytes = scanner.rawBytes(slice)
        guard slice.kind == .number, bytes.count <= 18, !bytes.isEmpty, bytes.allSatisfy(Self.isDigit) else {
            throw invalid(lineNumber, "\(Self.fields[index].name)", "is not a non-negative integer")
        }
        return bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// `block_time` must be `YYYY-MM-DDTHH:MM:SSZ` on the partition's day.
    private func checkBlockTime(_ scanner: JSONScanner, _ lineNumber: Int) throws {
        let slice = slices[Self.blockTimeIndex]
        let bytes = scanner.rawBytes(slice)
        let shape = "dddd-dd-ddTdd:dd:ddZ".utf8
        guard slice.kind == .string, bytes.count == shape.count,
            zip(bytes, shape).allSatisfy({ byte, pattern in
                pattern == UInt8(ascii: "d") ? Self.isDigit(byte) : byte == pattern
            })
        else {
            throw invalid(lineNumber, "block_time", "is not YYYY-MM-DDTHH:MM:SSZ")
        }
        guard bytes.prefix(dayPrefix.count).elementsEqual(dayPrefix) else {
            throw LoadError.rowOutsidePartition(
                input: input, line: lineNumber, blockTime: String(decoding: bytes, as: UTF8.self),
                partition: PartitionDay(String(decoding: dayPrefix, as: UTF8.self))!)
        }
    }

    private func invalid(_ lineNumber: Int, _ field: String?, _ reason: String) -> LoadError {
        .invalidRecord(input: input, line: lineNumber, field: field, reason: reason)
    }

    // MARK: - COPY text escaping

    /// Appends `bytes` escaped for COPY text format; returns how many NULs became U+FFFD.
    ///
    /// Backslash, and the control bytes COPY gives a meaning to, are written as backslash escapes.
    @discardableResult
    static func appendEscaped(_ bytes: [UInt8], to output: inout [UInt8]) -> Int {
        var replaced = 0
        for byte in bytes {
            switch byte {
            case 0x5C:
                output.append(0x5C)
                output.append(0x5C)
            case 0x08: output.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0B: output.append(contentsOf: [0x5C, UInt8(ascii: "v")])
            case 0x0C: output.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x00:
                output.append(contentsOf: [0xEF, 0xBF, 0xBD])
                replaced += 1
            default: output.append(byte)
            }
        }
        return replaced
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    @inline(__always)
    private static func isLowercaseHex(_ byte: UInt8) -> Bool {
        byte &- 0x30 < 10 || byte &- UInt8(ascii: "a") < 6
    }
}

import ChainETLCore

/// Turns canonical transfer lines (`transfer/1`) into rows of `COPY transfers (…) FROM STDIN`,
/// in text or binary format, byte by byte.
///
/// This is the load's hot path: no `String` or `Array` is created per row. In text format, hex,
/// digits and timestamps are copied as they are (a JSON string without escapes cannot hold a
/// backslash or a control byte, so it needs no COPY escaping). In binary format (what the load
/// sends) the server parses nothing: `transfer_id` goes as its 16 bytes, integers and timestamps
/// as big-endian integers, `value` as a numeric's base-10000 digits, text as its bytes. Either
/// way only strings with JSON escapes (token names with tabs, quotes, `\u` sequences) are decoded
/// (and, for text, re-escaped). Postgres text cannot hold NUL, so a decoded U+0000 becomes U+FFFD
/// and is counted in `replacedNULs`.
package struct TransferCopyEncoder {
    /// The COPY format of the rows.
    package enum Format {
        /// Tab-separated text (what `psql \copy` reads).
        case text
        /// PostgreSQL binary tuples (`COPY … WITH (FORMAT binary)`), without the file header.
        case binary
    }

    /// The `transfers` columns every row fills, in order: the 16 record fields, then `pipeline`
    /// and `loaded_at`.
    package static let columns: [String] = fields.map { "\($0.name)" } + ["pipeline", "loaded_at"]

    /// The row built by the last successful `encode`: escaped text without its newline, or one
    /// binary tuple.
    package private(set) var row: [UInt8] = []
    /// NUL characters (JSON `\u0000`) written as U+FFFD so far.
    package private(set) var replacedNULs = 0

    private let pipelineField: [UInt8]
    private let loadedAtField: [UInt8]
    private let dayPrefix: [UInt8]
    private let chainIDs: [Int]?
    private let input: String
    private var slices: [JSONSlice]
    private let format: Format
    /// `block_time` of the partition day's midnight, in microseconds since 2000-01-01 (binary).
    private let dayStartMicroseconds: Int64
    /// The `pipeline` and `loaded_at` fields of a binary tuple, length words included.
    private let binaryTail: [UInt8]
    /// Decoded text of a string field with JSON escapes (binary), reused.
    private var decoded: [UInt8] = []

    /// - Parameters:
    ///   - pipeline: written into `pipeline` on every row.
    ///   - partition: the day every `block_time` must fall in.
    ///   - chainIDs: the chains to keep; rows of other chains are skipped (nil keeps every chain).
    ///   - loadedAt: `loaded_at` text (ISO 8601), the same for every row of one load.
    ///   - input: the input's name, for error messages.
    ///   - format: text, or binary (then `loadedAt` must be `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`).
    package init(
        pipeline: String, partition: PartitionDay, chainIDs: [Int]?, loadedAt: String, input: String,
        format: Format = .text
    ) {
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
        self.format = format
        dayStartMicroseconds = Int64(partition.startUnixSeconds - Self.postgresEpochUnixSeconds) * 1_000_000
        var tail: [UInt8] = []
        if format == .binary {
            guard let loadedAtMicroseconds = Self.postgresMicroseconds(loadedAt) else {
                preconditionFailure("loaded_at \(loadedAt) is not YYYY-MM-DDTHH:MM:SS[.ffffff]Z")
            }
            Self.appendBigEndian(Int32(pipeline.utf8.count), to: &tail)
            tail.append(contentsOf: pipeline.utf8)
            Self.appendBigEndian(Int32(8), to: &tail)
            Self.appendBigEndian(loadedAtMicroseconds, to: &tail)
        }
        binaryTail = tail
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
        if format == .binary {
            Self.appendBigEndian(Int16(Self.columns.count), to: &row)
            for index in 0..<Self.fields.count {
                try appendBinaryField(index, scanner, lineNumber)
            }
            row.append(contentsOf: binaryTail)
            return chainID
        }
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
        /// Non-negative decimal integer of a column `bytes` wide (bigint 8, integer 4, smallint 2).
        case integer(bytes: Int)
        /// Non-negative decimal integer or null.
        case optionalInteger(bytes: Int)
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
        ("transfer_id", .transferID), ("chain_id", .integer(bytes: 8)), ("block_number", .integer(bytes: 8)),
        ("block_time", .timestamp), ("block_hash", .optionalText), ("tx_hash", .text),
        ("log_index", .optionalInteger(bytes: 4)), ("occurrence", .integer(bytes: 4)), ("token_address", .text),
        ("from_address", .text), ("to_address", .text), ("value", .decimal), ("token_symbol", .optionalText),
        ("token_name", .optionalText), ("token_decimals", .optionalInteger(bytes: 2)), ("source", .text),
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
        if try isNull(index, lineNumber) {
            row.append(0x5C)
            row.append(UInt8(ascii: "N"))
            return
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
            row.append(contentsOf: try integerDigits(index, scanner, lineNumber))
        case .timestamp:
            // Checked by checkBlockTime before any field is written.
            row.append(contentsOf: scanner.rawBytes(slice))
        case .decimal:
            row.append(contentsOf: try decimalDigits(index, scanner, lineNumber))
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

    /// Whether field `index` is null, which only optional fields may be.
    private func isNull(_ index: Int, _ lineNumber: Int) throws -> Bool {
        guard slices[index].kind == .null else { return false }
        switch Self.fields[index].kind {
        case .optionalInteger, .optionalText: return true
        default: throw invalid(lineNumber, "\(Self.fields[index].name)", "is null")
        }
    }

    /// The digits of an integer field: a JSON number of at most 19 decimal digits, no sign.
    private func integerDigits(_ index: Int, _ scanner: JSONScanner, _ lineNumber: Int) throws
        -> UnsafeRawBufferPointer
    {
        let slice = slices[index]
        let name = Self.fields[index].name
        guard slice.kind == .number else { throw invalid(lineNumber, "\(name)", "is not an integer") }
        let bytes = scanner.rawBytes(slice)
        guard !bytes.isEmpty, bytes.count <= 19, bytes.allSatisfy(Self.isDigit) else {
            throw invalid(lineNumber, "\(name)", "is not a non-negative integer")
        }
        return bytes
    }

    /// The digits of the uint256 `value`: a plain string of 1 to 78 decimal digits.
    private func decimalDigits(_ index: Int, _ scanner: JSONScanner, _ lineNumber: Int) throws
        -> UnsafeRawBufferPointer
    {
        let bytes = try plainString(scanner, index, lineNumber)
        guard !bytes.isEmpty, bytes.count <= 78, bytes.allSatisfy(Self.isDigit) else {
            throw invalid(lineNumber, "\(Self.fields[index].name)", "is not a decimal uint256")
        }
        return bytes
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

    // MARK: - Binary tuples

    /// Appends field `index` as a binary COPY field: its length (-1 for null), then its bytes.
    private mutating func appendBinaryField(_ index: Int, _ scanner: JSONScanner, _ lineNumber: Int) throws {
        let slice = slices[index]
        let field = Self.fields[index]
        if try isNull(index, lineNumber) {
            Self.appendBigEndian(Int32(-1), to: &row)
            return
        }
        switch field.kind {
        case .transferID:
            let bytes = try plainString(scanner, index, lineNumber)
            guard bytes.count == 32 else {
                throw invalid(lineNumber, "\(field.name)", "is not 32 lowercase hex digits")
            }
            Self.appendBigEndian(Int32(16), to: &row)
            var offset = 0
            while offset < 32 {
                guard let high = Self.hexValue(bytes[offset]), let low = Self.hexValue(bytes[offset + 1]) else {
                    throw invalid(lineNumber, "\(field.name)", "is not 32 lowercase hex digits")
                }
                row.append(high << 4 | low)
                offset += 2
            }
        case .integer(let width), .optionalInteger(let width):
            let bytes = try integerDigits(index, scanner, lineNumber)
            // 19 digits fit in UInt64; the column's width bounds the value.
            let value = bytes.reduce(UInt64(0)) { $0 &* 10 &+ UInt64($1 &- 0x30) }
            guard value <= UInt64(1) << (8 * width - 1) - 1 else {
                throw invalid(lineNumber, "\(field.name)", "is out of range for a \(8 * width)-bit integer")
            }
            Self.appendBigEndian(Int32(width), to: &row)
            switch width {
            case 8: Self.appendBigEndian(Int64(value), to: &row)
            case 4: Self.appendBigEndian(Int32(value), to: &row)
            default: Self.appendBigEndian(Int16(value), to: &row)
            }
        case .timestamp:
            // Shape and day checked by checkBlockTime; the time of day is checked here.
            let bytes = scanner.rawBytes(slice)
            let hour = Self.twoDigits(bytes, 11)
            let minute = Self.twoDigits(bytes, 14)
            let second = Self.twoDigits(bytes, 17)
            guard hour < 24, minute < 60, second < 60 else {
                throw invalid(lineNumber, "block_time", "is not a valid time of day")
            }
            Self.appendBigEndian(Int32(8), to: &row)
            Self.appendBigEndian(
                dayStartMicroseconds + Int64((hour * 60 + minute) * 60 + second) * 1_000_000, to: &row)
        case .decimal:
            appendBinaryNumeric(try decimalDigits(index, scanner, lineNumber))
        case .text, .optionalText:
            guard slice.kind == .string else { throw invalid(lineNumber, "\(field.name)", "is not a string") }
            if scanner.hasEscapes(slice) {
                let text: String
                do {
                    text = try scanner.string(slice)
                } catch {
                    throw invalid(lineNumber, "\(field.name)", "has an invalid escape (\(error))")
                }
                decoded.removeAll(keepingCapacity: true)
                for byte in text.utf8 {
                    if byte == 0 {
                        decoded.append(contentsOf: [0xEF, 0xBF, 0xBD])
                        replacedNULs += 1
                    } else {
                        decoded.append(byte)
                    }
                }
                Self.appendBigEndian(Int32(decoded.count), to: &row)
                row.append(contentsOf: decoded)
            } else {
                let bytes = scanner.rawBytes(slice)
                Self.appendBigEndian(Int32(bytes.count), to: &row)
                row.append(contentsOf: bytes)
            }
        }
    }

    /// Appends decimal `digits` (1 to 78 of them) as a binary `numeric` field: digit count,
    /// weight, sign and display scale, then the base-10000 digits, most significant first.
    private mutating func appendBinaryNumeric(_ digits: UnsafeRawBufferPointer) {
        var start = 0
        while start < digits.count, digits[start] == 0x30 { start += 1 }
        let length = digits.count - start
        let groups = (length + 3) / 4
        // Base-10000 digits; trailing zero groups are left out (the weight keeps the magnitude).
        var values: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)  // 20 × UInt16 ≥ 78/4
        let count = withUnsafeMutableBytes(of: &values) { scratch -> Int in
            let out = scratch.bindMemory(to: UInt16.self)
            var position = start
            var significant = 0
            for group in 0..<groups {
                let width = group == 0 ? length - (groups - 1) * 4 : 4
                var value: UInt16 = 0
                for _ in 0..<width {
                    value = value * 10 + UInt16(digits[position] &- 0x30)
                    position += 1
                }
                out[group] = value
                if value != 0 { significant = group + 1 }
            }
            return significant
        }
        Self.appendBigEndian(Int32(8 + 2 * count), to: &row)
        Self.appendBigEndian(Int16(count), to: &row)
        Self.appendBigEndian(Int16(count == 0 ? 0 : groups - 1), to: &row)
        Self.appendBigEndian(Int16(0), to: &row)  // sign: positive
        Self.appendBigEndian(Int16(0), to: &row)  // display scale: an integer
        withUnsafeBytes(of: &values) { scratch in
            let groupValues = scratch.bindMemory(to: UInt16.self)
            for group in 0..<count { Self.appendBigEndian(Int16(bitPattern: groupValues[group]), to: &row) }
        }
    }

    /// Seconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 UTC.
    private static let postgresEpochUnixSeconds = 946_684_800

    /// `YYYY-MM-DDTHH:MM:SS[.f…]Z` as microseconds since 2000-01-01 UTC (fraction cut at 6 digits).
    static func postgresMicroseconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z"),
            let day = PartitionDay(String(decoding: bytes[0..<10], as: UTF8.self)), bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            [11, 12, 14, 15, 17, 18].allSatisfy({ isDigit(bytes[$0]) })
        else { return nil }
        var fraction = 0
        if bytes.count > 20 {
            let digits = bytes[19..<(bytes.count - 1)]
            guard digits.first == UInt8(ascii: "."), digits.count > 1, digits.dropFirst().allSatisfy(isDigit) else {
                return nil
            }
            for index in 0..<6 {
                let digit = digits.dropFirst().dropFirst(index).first.map { Int($0 - 0x30) } ?? 0
                fraction = fraction * 10 + digit
            }
        }
        let seconds =
            day.startUnixSeconds - postgresEpochUnixSeconds
            + (Int(twoDigits(bytes, 11)) * 60 + Int(twoDigits(bytes, 14))) * 60 + Int(twoDigits(bytes, 17))
        return Int64(seconds) * 1_000_000 + Int64(fraction)
    }

    @inline(__always)
    private static func twoDigits<Bytes: Collection<UInt8>>(_ bytes: Bytes, _ offset: Int) -> Int
    where Bytes.Index == Int {
        Int(bytes[offset] &- 0x30) * 10 + Int(bytes[offset + 1] &- 0x30)
    }

    @inline(__always)
    private static func appendBigEndian<Value: FixedWidthInteger>(_ value: Value, to output: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { output.append(contentsOf: $0) }
    }

    /// The value of a lowercase hex digit, or nil.
    @inline(__always)
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        if byte &- 0x30 < 10 { return byte &- 0x30 }
        if byte &- UInt8(ascii: "a") < 6 { return byte &- UInt8(ascii: "a") + 10 }
        return nil
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

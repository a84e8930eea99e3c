import ChainETLCore

/// Walks a raw checkpoint line once, validating the JSON while it locates the envelope members
/// and the row's fields: the row (often the bulk of the line, e.g. Blockscout's full calldata)
/// is scanned a single time.
struct RawLineWalker {
    let scanner: JSONScanner

    /// The envelope members, and the row's fields when `row` is an object.
    struct Envelope {
        var source: JSONSlice?
        var chainID: JSONSlice?
        var row: JSONSlice?
        /// The `request` member (which target of which extraction produced the row).
        var request: JSONSlice?
        var fields = RawRowFields()
        /// The line's JSON value without surrounding whitespace.
        var root: JSONSlice
    }

    /// Parses the line; throws `JSONScanError` for anything that is not one complete JSON value.
    /// A value that is not an object comes back with every member nil.
    func walk() throws -> Envelope {
        let bytes = scanner.bytes
        let start = skipWhitespace(from: 0)
        guard start < bytes.count, bytes[start] == UInt8(ascii: "{") else {
            let root = try scanner.root()
            return Envelope(root: root)
        }
        var envelope = Envelope(root: JSONSlice(kind: .object, range: start..<start))
        let end = try walkObject(at: start) { key, valueStart in
            if scanner.equals(key, "row"), bytes[valueStart] == UInt8(ascii: "{") {
                var fields = RawRowFields()
                let rowEnd = try walkObject(at: valueStart) { rowKey, rowValueStart in
                    let value = try self.value(at: rowValueStart, depth: 2)
                    fields.assign(key: rowKey, value: value, in: scanner)
                    return value.range.upperBound
                }
                envelope.row = JSONSlice(kind: .object, range: valueStart..<rowEnd)
                envelope.fields = fields
                return rowEnd
            }
            let value = try self.value(at: valueStart, depth: 1)
            if scanner.equals(key, "source") {
                envelope.source = value
            } else if scanner.equals(key, "chain_id") {
                envelope.chainID = value
            } else if scanner.equals(key, "row") {
                envelope.row = value
            } else if scanner.equals(key, "request") {
                envelope.request = value
            }
            return value.range.upperBound
        }
        let trailing = skipWhitespace(from: end)
        guard trailing == bytes.count else { throw JSONScanError.trailingBytes(offset: trailing) }
        envelope.root = JSONSlice(kind: .object, range: start..<end)
        return envelope
    }

    /// Calls `body` with each element of `array` (a slice `walk()` produced, so already valid)
    /// until it returns false.
    func forEachElement(of array: JSONSlice, _ body: (JSONSlice) -> Bool) throws {
        let bytes = scanner.bytes
        var index = skipWhitespace(from: array.range.lowerBound + 1)
        guard index < bytes.count, bytes[index] != UInt8(ascii: "]") else { return }
        while true {
            let element = try value(at: index, depth: 1)
            guard body(element) else { return }
            index = skipWhitespace(from: element.range.upperBound)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return }
            index = skipWhitespace(from: index + 1)
        }
    }

    /// Calls `body` with each member of `object` (a slice `walk()` produced, so already valid):
    /// nested objects such as Blockscout v2's `from` and `token` are read with the same
    /// word-at-a-time string scan as the line itself.
    func forEachMember(of object: JSONSlice, _ body: (_ key: Range<Int>, _ value: JSONSlice) -> Void) throws {
        _ = try walkObject(at: object.range.lowerBound) { key, valueStart in
            let value = try self.value(at: valueStart, depth: 1)
            body(key, value)
            return value.range.upperBound
        }
    }

    /// The deepest nesting accepted, as `JSONScanner` does, so hostile input cannot exhaust the stack.
    private static let maximumDepth = 128

    /// The value at `start` (no leading whitespace), validated. Strings, objects and arrays are
    /// walked here, strings a word at a time; numbers and literals go to `JSONScanner`.
    private func value(at start: Int, depth: Int) throws -> JSONSlice {
        let bytes = scanner.bytes
        guard start < bytes.count else { throw JSONScanError.unexpectedEnd(offset: start) }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return JSONSlice(kind: .string, range: start..<(try endOfString(at: start)))
        case UInt8(ascii: "{"):
            guard depth < Self.maximumDepth else { throw JSONScanError.tooDeep(offset: start) }
            let end = try walkObject(at: start) { _, valueStart in
                try value(at: valueStart, depth: depth + 1).range.upperBound
            }
            return JSONSlice(kind: .object, range: start..<end)
        case UInt8(ascii: "["):
            guard depth < Self.maximumDepth else { throw JSONScanError.tooDeep(offset: start) }
            return JSONSlice(kind: .array, range: start..<(try walkArray(at: start, depth: depth + 1)))
        default:
            return try scanner.value(at: start)
        }
    }

    /// Walks the array starting at `start` (which holds `[`); returns the offset past its `]`.
    private func walkArray(at start: Int, depth: Int) throws -> Int {
        let bytes = scanner.bytes
        var index = skipWhitespace(from: start + 1)
        guard index < bytes.count else { throw JSONScanError.unexpectedEnd(offset: index) }
        if bytes[index] == UInt8(ascii: "]") { return index + 1 }
        while true {
            let element = try value(at: index, depth: depth)
            index = skipWhitespace(from: element.range.upperBound)
            guard index < bytes.count else { throw JSONScanError.unexpectedEnd(offset: index) }
            if bytes[index] == UInt8(ascii: ",") {
                index = skipWhitespace(from: index + 1)
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else {
                throw JSONScanError.unexpectedByte(bytes[index], offset: index)
            }
            return index + 1
        }
    }

    /// Walks the object starting at `start` (which holds `{`), validating its structure; `member`
    /// gets each key (without quotes) and the offset of its value, and returns the value's end.
    /// Returns the offset just past the closing `}`.
    private func walkObject(
        at start: Int, _ member: (_ key: Range<Int>, _ valueStart: Int) throws -> Int
    ) throws -> Int {
        let bytes = scanner.bytes
        var index = skipWhitespace(from: start + 1)
        guard index < bytes.count else { throw JSONScanError.unexpectedEnd(offset: index) }
        if bytes[index] == UInt8(ascii: "}") { return index + 1 }
        while true {
            guard index < bytes.count else { throw JSONScanError.unexpectedEnd(offset: index) }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw JSONScanError.unexpectedByte(bytes[index], offset: index)
            }
            let keyStart = index
            let keyEnd = try endOfString(at: keyStart)
            index = skipWhitespace(from: keyEnd)
            guard index < bytes.count else { throw JSONScanError.unexpectedEnd(offset: index) }
            guard bytes[index] == UInt8(ascii: ":") else {
                throw JSONScanError.unexpectedByte(bytes[index], offset: index)
            }
            let valueStart = skipWhitespace(from: index + 1)
            guard valueStart < bytes.count else { throw JSONScanError.unexpectedEnd(offset: valueStart) }
            let valueEnd = try member((keyStart + 1)..<(keyEnd - 1), valueStart)
            index = skipWhitespace(from: valueEnd)
            guard index < bytes.count else { throw JSONScanError.unexpectedEnd(offset: index) }
            if bytes[index] == UInt8(ascii: ",") {
                index = skipWhitespace(from: index + 1)
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else {
                throw JSONScanError.unexpectedByte(bytes[index], offset: index)
            }
            return index + 1
        }
    }

    /// The first offset at or after `offset` that is not JSON whitespace (usually `offset`:
    /// checkpoint lines are compact).
    @inline(__always)
    private func skipWhitespace(from offset: Int) -> Int {
        let bytes = scanner.bytes
        var index = offset
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return index
            }
        }
        return index
    }

    /// The offset just past the closing quote of the string starting at `start`.
    ///
    /// Checks 8 bytes at a time for a quote, a backslash or a control byte (SWAR): the bytes of
    /// hashes, hex words and calldata are skipped a word at a time.
    private func endOfString(at start: Int) throws -> Int {
        let bytes = scanner.bytes
        var index = start + 1
        while index + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let flagged = Self.specialBytes(in: UInt64(littleEndian: word))
            if flagged == 0 {
                index += 8
                continue
            }
            index += flagged.trailingZeroBitCount / 8
            switch bytes[index] {
            case UInt8(ascii: "\""): return index + 1
            case UInt8(ascii: "\\"): index += 2
            default: throw JSONScanError.unexpectedByte(bytes[index], offset: index)
            }
        }
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""): return index + 1
            case UInt8(ascii: "\\"): index += 2
            case 0x00..<0x20: throw JSONScanError.unexpectedByte(bytes[index], offset: index)
            default: index += 1
            }
        }
        throw JSONScanError.unexpectedEnd(offset: bytes.count)
    }

    /// High bit set in each byte of `word` that is `"`, `\\` or below 0x20. Only the lowest flagged
    /// byte is exact (borrows can flag bytes above it), which is the one the caller uses.
    @inline(__always)
    private static func specialBytes(in word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quotes = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
        let backslashes = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
        let isQuote = (quotes &- ones) & ~quotes
        let isBackslash = (backslashes &- ones) & ~backslashes
        let isControl = (word &- ones &* 0x20) & ~word
        return (isQuote | isBackslash | isControl) & highs
    }
}

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
        var fields = RawRowFields()
        /// The line's JSON value without surrounding whitespace.
        var root: JSONSlice
    }

    /// Parses the line; throws `JSONScanError` for anything that is not one complete JSON value.
    /// A value that is not an object comes back with every member nil.
    func walk() throws -> Envelope {
        let bytes = scanner.bytes
        let start = scanner.skipWhitespace(from: 0)
        guard start < bytes.count, bytes[start] == UInt8(ascii: "{") else {
            let root = try scanner.root()
            return Envelope(root: root)
        }
        var envelope = Envelope(root: JSONSlice(kind: .object, range: start..<start))
        let end = try walkObject(at: start) { key, valueStart in
            if scanner.equals(key, "row"), bytes[valueStart] == UInt8(ascii: "{") {
                var fields = RawRowFields()
                let rowEnd = try walkObject(at: valueStart) { rowKey, rowValueStart in
                    let value = try scanner.value(at: rowValueStart)
                    fields.assign(key: rowKey, value: value, in: scanner)
                    return value.range.upperBound
                }
                envelope.row = JSONSlice(kind: .object, range: valueStart..<rowEnd)
                envelope.fields = fields
                return rowEnd
            }
            let value = try scanner.value(at: valueStart)
            if scanner.equals(key, "source") {
                envelope.source = value
            } else if scanner.equals(key, "chain_id") {
                envelope.chainID = value
            } else if scanner.equals(key, "row") {
                envelope.row = value
            }
            return value.range.upperBound
        }
        let trailing = scanner.skipWhitespace(from: end)
        guard trailing == bytes.count else { throw JSONScanError.trailingBytes(offset: trailing) }
        envelope.root = JSONSlice(kind: .object, range: start..<end)
        return envelope
    }

    /// Walks the object starting at `start` (which holds `{`), validating its structure; `member`
    /// gets each key (without quotes) and the offset of its value, and returns the value's end.
    /// Returns the offset just past the closing `}`.
    private func walkObject(
        at start: Int, _ member: (_ key: Range<Int>, _ valueStart: Int) throws -> Int
    ) throws -> Int {
        let bytes = scanner.bytes
        var index = scanner.skipWhitespace(from: start + 1)
        guard index < bytes.count else { throw JSONScanError.unexpectedEnd(offset: index) }
        if bytes[index] == UInt8(ascii: "}") { return index + 1 }
        while true {
            guard index < bytes.count else { throw JSONScanError.unexpectedEnd(offset: index) }
            guard bytes[index] == UInt8(ascii: "\"") else { throw JSONScanError.unexpectedByte(bytes[index], offset: index) }
            let keyStart = index
            let keyEnd = try endOfString(at: keyStart)
            index = scanner.skipWhitespace(from: keyEnd)
            guard index < bytes.count else { throw JSONScanError.unexpectedEnd(offset: index) }
            guard bytes[index] == UInt8(ascii: ":") else { throw JSONScanError.unexpectedByte(bytes[index], offset: index) }
            let valueStart = scanner.skipWhitespace(from: index + 1)
            guard valueStart < bytes.count else { throw JSONScanError.unexpectedEnd(offset: valueStart) }
            let valueEnd = try member((keyStart + 1)..<(keyEnd - 1), valueStart)
            index = scanner.skipWhitespace(from: valueEnd)
            guard index < bytes.count else { throw JSONScanError.unexpectedEnd(offset: index) }
            if bytes[index] == UInt8(ascii: ",") {
                index = scanner.skipWhitespace(from: index + 1)
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw JSONScanError.unexpectedByte(bytes[index], offset: index) }
            return index + 1
        }
    }

    private func endOfString(at start: Int) throws -> Int {
        let bytes = scanner.bytes
        var index = start + 1
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
}

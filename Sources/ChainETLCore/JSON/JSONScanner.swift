/// The kind of a JSON value found by `JSONScanner`.
public enum JSONKind: Sendable, Equatable {
    case object, array, string, number, bool, null
}

/// One JSON value located inside the scanned buffer: its kind and its byte range.
///
/// For strings the range includes the quotes; `JSONScanner.string(_:)` decodes the content.
public struct JSONSlice: Sendable, Equatable {
    public let kind: JSONKind
    public let range: Range<Int>

    public init(kind: JSONKind, range: Range<Int>) {
        self.kind = kind
        self.range = range
    }
}

/// A failure to scan JSON, with the byte offset where it happened.
public enum JSONScanError: Error, Equatable, CustomStringConvertible {
    /// The buffer ended inside a value.
    case unexpectedEnd(offset: Int)
    /// A byte that cannot start or continue a value at this point.
    case unexpectedByte(UInt8, offset: Int)
    /// A malformed backslash escape inside a string.
    case invalidEscape(offset: Int)
    /// Bytes follow the value that should have ended the input.
    case trailingBytes(offset: Int)
    /// Nesting deeper than the scanner allows.
    case tooDeep(offset: Int)

    public var description: String {
        switch self {
        case .unexpectedEnd(let offset): return "json ends unexpectedly at byte \(offset)"
        case .unexpectedByte(let byte, let offset):
            return "unexpected byte 0x\(String(byte, radix: 16)) at byte \(offset)"
        case .invalidEscape(let offset): return "invalid string escape at byte \(offset)"
        case .trailingBytes(let offset): return "unexpected bytes after the json value at byte \(offset)"
        case .tooDeep(let offset): return "json nested too deeply at byte \(offset)"
        }
    }
}

/// A byte-level JSON scanner that locates values without building a tree.
///
/// Foundation's `JSONDecoder` measures about 90k lines/s on this hardware, far below the hot
/// path's target, so the hot path walks bytes instead. The scanner never copies: it hands out
/// byte ranges into the buffer it was given, which must outlive it (use `withScanner`).
public struct JSONScanner {
    public let bytes: UnsafeRawBufferPointer
    private static let maximumDepth = 128

    public init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Runs `body` with a scanner over `array`'s storage.
    public static func withScanner<T>(_ array: [UInt8], _ body: (JSONScanner) throws -> T) rethrows -> T {
        try array.withUnsafeBytes { try body(JSONScanner(bytes: $0)) }
    }

    /// The whole buffer as one JSON value, surrounded only by whitespace.
    public func root() throws -> JSONSlice {
        let start = skipWhitespace(from: 0)
        let slice = try value(at: start)
        let end = skipWhitespace(from: slice.range.upperBound)
        guard end == bytes.count else { throw JSONScanError.trailingBytes(offset: end) }
        return slice
    }

    /// The value that starts at `offset` (after optional whitespace).
    public func value(at offset: Int) throws -> JSONSlice {
        try value(at: skipWhitespace(from: offset), depth: 0)
    }

    private func value(at start: Int, depth: Int) throws -> JSONSlice {
        guard depth < Self.maximumDepth else { throw JSONScanError.tooDeep(offset: start) }
        guard start < bytes.count else { throw JSONScanError.unexpectedEnd(offset: start) }
        switch bytes[start] {
        case UInt8(ascii: "{"):
            var index = skipWhitespace(from: start + 1)
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                return JSONSlice(kind: .object, range: start..<(index + 1))
            }
            while true {
                guard index < bytes.count else { throw JSONScanError.unexpectedEnd(offset: index) }
                guard bytes[index] == UInt8(ascii: "\"") else {
                    throw JSONScanError.unexpectedByte(bytes[index], offset: index)
                }
                index = try endOfString(at: index)
                index = skipWhitespace(from: index)
                guard index < bytes.count else { throw JSONScanError.unexpectedEnd(offset: index) }
                guard bytes[index] == UInt8(ascii: ":") else {
                    throw JSONScanError.unexpectedByte(bytes[index], offset: index)
                }
                let member = try value(at: skipWhitespace(from: index + 1), depth: depth + 1)
                index = skipWhitespace(from: member.range.upperBound)
                guard index < bytes.count else { throw JSONScanError.unexpectedEnd(offset: index) }
                if bytes[index] == UInt8(ascii: ",") {
                    index = skipWhitespace(from: index + 1)
                    continue
                }
                guard bytes[index] == UInt8(ascii: "}") else {
                    throw JSONScanError.unexpectedByte(bytes[index], offset: index)
                }
                return JSONSlice(kind: .object, range: start..<(index + 1))
            }
        case UInt8(ascii: "["):
            var index = skipWhitespace(from: start + 1)
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                return JSONSlice(kind: .array, range: start..<(index + 1))
            }
            while true {
                let element = try value(at: index, depth: depth + 1)
                index = skipWhitespace(from: element.range.upperBound)
                guard index < bytes.count else { throw JSONScanError.unexpectedEnd(offset: index) }
                if bytes[index] == UInt8(ascii: ",") {
                    index = skipWhitespace(from: index + 1)
                    continue
                }
                guard bytes[index] == UInt8(ascii: "]") else {
                    throw JSONScanError.unexpectedByte(bytes[index], offset: index)
                }
                return JSONSlice(kind: .array, range: start..<(index + 1))
            }
        case UInt8(ascii: "\""):
            return JSONSlice(kind: .string, range: start..<(try endOfString(at: start)))
        case UInt8(ascii: "t"):
            return JSONSlice(kind: .bool, range: start..<(try expectLiteral("true", at: start)))
        case UInt8(ascii: "f"):
            return JSONSlice(kind: .bool, range: start..<(try expectLiteral("false", at: start)))
        case UInt8(ascii: "n"):
            return JSONSlice(kind: .null, range: start..<(try expectLiteral("null", at: start)))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONSlice(kind: .number, range: start..<(try endOfNumber(at: start)))
        default:
            throw JSONScanError.unexpectedByte(bytes[start], offset: start)
        }
    }

    /// Calls `body` with each member of the object `object`: the raw key bytes (without quotes,
    /// escapes undecoded) and the value. Return `false` from `body` to stop early.
    public func forEachMember(
        of object: JSONSlice,
        _ body: (_ key: Range<Int>, _ value: JSONSlice) throws -> Bool
    ) throws {
        precondition(object.kind == .object)
        var index = skipWhitespace(from: object.range.lowerBound + 1)
        while index < object.range.upperBound - 1 {
            let keyEnd = try endOfString(at: index)
            let key = (index + 1)..<(keyEnd - 1)
            index = skipWhitespace(from: keyEnd) + 1  // past ':'
            let member = try value(at: skipWhitespace(from: index), depth: 1)
            guard try body(key, member) else { return }
            index = skipWhitespace(from: member.range.upperBound)
            if bytes[index] == UInt8(ascii: ",") { index = skipWhitespace(from: index + 1) }
        }
    }

    /// Calls `body` with each element of the array `array`. Return `false` to stop early.
    public func forEachElement(of array: JSONSlice, _ body: (JSONSlice) throws -> Bool) throws {
        precondition(array.kind == .array)
        var index = skipWhitespace(from: array.range.lowerBound + 1)
        while index < array.range.upperBound - 1 {
            let element = try value(at: index, depth: 1)
            guard try body(element) else { return }
            index = skipWhitespace(from: element.range.upperBound)
            if bytes[index] == UInt8(ascii: ",") { index = skipWhitespace(from: index + 1) }
        }
    }

    /// The value of `key` in `object`, or nil when absent. Keys are compared byte for byte.
    public func member(_ key: StaticString, of object: JSONSlice) throws -> JSONSlice? {
        var found: JSONSlice?
        try forEachMember(of: object) { range, value in
            if self.equals(range, key) {
                found = value
                return false
            }
            return true
        }
        return found
    }

    /// Whether the bytes in `range` equal `literal` exactly.
    public func equals(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard range.count == count else { return false }
        let pointer = literal.utf8Start
        var index = 0
        while index < count {
            if bytes[range.lowerBound + index] != pointer[index] { return false }
            index += 1
        }
        return true
    }

    /// The raw bytes of `slice` (for a string: without the quotes, escapes undecoded).
    public func rawBytes(_ slice: JSONSlice) -> UnsafeRawBufferPointer {
        let range = slice.kind == .string ? (slice.range.lowerBound + 1)..<(slice.range.upperBound - 1) : slice.range
        return UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    /// Whether a string slice contains a backslash escape (so its raw bytes are not its value).
    public func hasEscapes(_ slice: JSONSlice) -> Bool {
        var index = slice.range.lowerBound + 1
        while index < slice.range.upperBound - 1 {
            if bytes[index] == UInt8(ascii: "\\") { return true }
            index += 1
        }
        return false
    }

    /// The decoded content of a string slice.
    public func string(_ slice: JSONSlice) throws -> String {
        precondition(slice.kind == .string)
        if !hasEscapes(slice) {
            return String(decoding: rawBytes(slice), as: UTF8.self)
        }
        var output: [UInt8] = []
        output.reserveCapacity(slice.range.count)
        var index = slice.range.lowerBound + 1
        let end = slice.range.upperBound - 1
        while index < end {
            let byte = bytes[index]
            if byte != UInt8(ascii: "\\") {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 1 < end else { throw JSONScanError.invalidEscape(offset: index) }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): output.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(at: index, limit: end)
                index += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard index + 6 <= end, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                    else {
                        throw JSONScanError.invalidEscape(offset: index)
                    }
                    let low = try hex4(at: index + 2, limit: end)
                    guard (0xDC00...0xDFFF).contains(low) else { throw JSONScanError.invalidEscape(offset: index) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw JSONScanError.invalidEscape(offset: index - 6)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw JSONScanError.invalidEscape(offset: index) }
                UTF8.encode(unicode) { output.append($0) }
            default:
                throw JSONScanError.invalidEscape(offset: index - 2)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private func hex4(at index: Int, limit: Int) throws -> UInt32 {
        guard index + 4 <= limit else { throw JSONScanError.invalidEscape(offset: index) }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw JSONScanError.invalidEscape(offset: index)
            }
            value = value << 4 | digit
        }
        return value
    }

    /// The offset just past the closing quote of the string that starts at `start`.
    ///
    /// Escapes are validated here (not decoded), so a scanned string always decodes.
    private func endOfString(at start: Int) throws -> Int {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""): return index + 1
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { throw JSONScanError.unexpectedEnd(offset: bytes.count) }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    guard index + 6 <= bytes.count else { throw JSONScanError.unexpectedEnd(offset: bytes.count) }
                    _ = try hex4(at: index + 2, limit: bytes.count)
                    index += 6
                default:
                    throw JSONScanError.invalidEscape(offset: index)
                }
            case 0x00..<0x20: throw JSONScanError.unexpectedByte(bytes[index], offset: index)
            default: index += 1
            }
        }
        throw JSONScanError.unexpectedEnd(offset: bytes.count)
    }

    /// The offset just past the number that starts at `start`, following RFC 8259's grammar:
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private func endOfNumber(at start: Int) throws -> Int {
        var index = start
        func isDigit(_ offset: Int) -> Bool {
            offset < bytes.count && bytes[offset] >= UInt8(ascii: "0") && bytes[offset] <= UInt8(ascii: "9")
        }
        func requireDigit(_ offset: Int) throws {
            guard offset < bytes.count else { throw JSONScanError.unexpectedEnd(offset: offset) }
            guard isDigit(offset) else { throw JSONScanError.unexpectedByte(bytes[offset], offset: offset) }
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        try requireDigit(index)
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            try requireDigit(index)
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            try requireDigit(index)
            while isDigit(index) { index += 1 }
        }
        return index
    }

    private func expectLiteral(_ literal: StaticString, at start: Int) throws -> Int {
        let count = literal.utf8CodeUnitCount
        guard start + count <= bytes.count else { throw JSONScanError.unexpectedEnd(offset: bytes.count) }
        guard equals(start..<(start + count), literal) else {
            throw JSONScanError.unexpectedByte(bytes[start], offset: start)
        }
        return start + count
    }

    /// The first offset at or after `offset` that is not JSON whitespace.
    public func skipWhitespace(from offset: Int) -> Int {
        var index = offset
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return index
            }
        }
        return index
    }
}

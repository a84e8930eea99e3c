import ChainETLCore

/// Parses the integer encodings explorers use for block numbers and indexes.
///
/// Etherscan tokentx sends decimal strings, getLogs sends 0x-hex strings where zero may be the bare
/// `"0x"`, Blockscout v2 sends JSON numbers.
enum ExplorerNumberText {
    /// The integer in `slice` (a JSON string or number), or nil when it is not one.
    static func integer(_ slice: JSONSlice, in scanner: JSONScanner) -> Int? {
        switch slice.kind {
        case .string, .number:
            return integer(scanner.rawBytes(slice))
        default:
            return nil
        }
    }

    /// Decimal digits, or `0x` followed by up to 15 hex digits (`"0x"` alone is zero).
    static func integer(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty else { return nil }
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "X") {
            guard bytes.count - 2 <= 15 else { return nil }
            var value = 0
            for byte in bytes.dropFirst(2) {
                let digit: Int
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(byte - UInt8(ascii: "a")) + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(byte - UInt8(ascii: "A")) + 10
                default: return nil
                }
                value = value << 4 | digit
            }
            return value
        }
        guard bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// The integer in `text` (same rules), for values that arrive as Swift strings.
    static func integer(_ text: String) -> Int? {
        var copy = text
        return copy.withUTF8 { integer(UnsafeRawBufferPointer($0)) }
    }
}

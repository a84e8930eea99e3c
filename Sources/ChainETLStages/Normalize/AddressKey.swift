/// A 20-byte address packed into integers, so it can key a dictionary without a String.
struct AddressKey: Hashable, Sendable {
    var high: UInt64
    var middle: UInt64
    var low: UInt32

    /// Parses `0x` + 40 hex digits (either case); nil otherwise.
    init?(hexAddress text: UnsafeRawBufferPointer) {
        guard text.count == 42, text[0] == UInt8(ascii: "0"), text[1] | 0x20 == UInt8(ascii: "x") else { return nil }
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        for index in 0..<40 {
            guard let digit = HexText.digitValue(text[2 + index]) else { return nil }
            switch index {
            case 0..<16: words.0 = words.0 << 4 | digit
            case 16..<32: words.1 = words.1 << 4 | digit
            default: words.2 = words.2 << 4 | digit
            }
        }
        high = words.0
        middle = words.1
        low = UInt32(truncatingIfNeeded: words.2)
    }
}

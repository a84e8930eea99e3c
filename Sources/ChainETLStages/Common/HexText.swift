/// Byte-level checks and conversions of explorer hex and decimal text, shared by the row readers.
enum HexText {
    /// The value of one hex digit byte, either case.
    @inline(__always)
    static func digitValue(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(byte &- 48)
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt64(byte &- 87)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt64(byte &- 55)
        default: return nil
        }
    }

    /// Whether `text` starts with `0x` or `0X`.
    @inline(__always)
    static func hasPrefix(_ text: UnsafeRawBufferPointer) -> Bool {
        text.count >= 2 && text[0] == UInt8(ascii: "0") && text[1] | 0x20 == UInt8(ascii: "x")
    }

    /// Maps each byte to its lowercase hex digit character, or 0 when it is not a hex digit.
    private static let lowercaseDigit: [UInt8] = (0..<256).map { value in
        let byte = UInt8(value)
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): return byte
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte | 0x20
        default: return 0
        }
    }

    /// Whether every byte of `text[range]` is a hex digit (either case).
    ///
    /// A table lookup and a running minimum, no early exit: nearly every input is valid, so the
    /// loop runs without branches.
    static func isHex(_ text: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        lowercaseDigit.withUnsafeBufferPointer { table in
            var minimum: UInt8 = 0xFF
            for index in range { minimum = min(minimum, table[Int(text[index])]) }
            return minimum != 0
        }
    }

    /// Replaces `buffer` with `0x` + the lowercased digits when `text` is exactly `0x` +
    /// `digits` hex digits; returns false (buffer unspecified) otherwise.
    ///
    /// Eight bytes at a time (SWAR): addresses (40 digits) and hashes (64) are whole words.
    static func copyLowercased(_ text: UnsafeRawBufferPointer, digits: Int, into buffer: inout [UInt8]) -> Bool {
        guard text.count == digits + 2, hasPrefix(text) else { return false }
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: text)
        return lowercaseDigit.withUnsafeBufferPointer { table in
            buffer.withUnsafeMutableBytes { bytes in
                bytes[1] = UInt8(ascii: "x")
                var index = 2
                var invalid: UInt64 = 0
                while index + 8 <= bytes.count {
                    let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                    let (lowered, flags) = lowercasedHexWord(word)
                    invalid |= flags
                    bytes.storeBytes(of: lowered.littleEndian, toByteOffset: index, as: UInt64.self)
                    index += 8
                }
                var minimum: UInt8 = 0xFF
                while index < bytes.count {
                    let digit = table[Int(bytes[index])]
                    bytes[index] = digit
                    minimum = min(minimum, digit)
                    index += 1
                }
                return invalid == 0 && minimum != 0
            }
        }
    }

    /// The 8 bytes of `word` with `A`–`F` lowercased, and a nonzero flag word unless every byte
    /// is a hex digit (`0`–`9`, `a`–`f`, `A`–`F`).
    ///
    /// Setting bit 5 lowercases `A`–`F` and leaves digits as they are; a byte is then valid when
    /// the original is a digit or the lowered byte is `a`–`f`. Range checks add a bias so the
    /// high bit of each byte says "at least lo" or "above hi"; every byte is below 0x80 (checked),
    /// so no sum carries into the next byte.
    @inline(__always)
    static func lowercasedHexWord(_ word: UInt64) -> (lowered: UInt64, invalid: UInt64) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let lowered = word | (ones &* 0x20)
        @inline(__always)
        func inRange(_ value: UInt64, _ low: UInt64, _ high: UInt64) -> UInt64 {
            let atLeastLow = value &+ ones &* (0x80 - low)
            let aboveHigh = value &+ ones &* (0x7F - high)
            return atLeastLow & ~aboveHigh & highs
        }
        let valid = inRange(word, 0x30, 0x39) | inRange(lowered, 0x61, 0x66)
        return (lowered, (word & highs) | (~valid & highs))
    }

    /// Parses a `0x`-prefixed hex integer into an `Int`. `"0x"` is zero (Etherscan's quirk).
    static func int(hex text: UnsafeRawBufferPointer) -> NumberParse {
        if text.first == UInt8(ascii: "-") { return .negative }
        guard hasPrefix(text) else { return .malformed }
        var value: UInt64 = 0
        for index in 2..<text.count {
            guard let digit = digitValue(text[index]) else { return .malformed }
            guard value >> 59 == 0 else { return .malformed }  // would pass Int.max
            value = value << 4 | digit
        }
        guard value <= UInt64(Int.max) else { return .malformed }
        return .value(Int(value))
    }

    /// Parses non-empty ASCII decimal digits into an `Int` (leading zeros allowed).
    static func int(decimal text: UnsafeRawBufferPointer) -> NumberParse {
        guard !text.isEmpty else { return .malformed }
        if text[0] == UInt8(ascii: "-") {
            return text.count > 1 && isDecimal(text, 1..<text.count) ? .negative : .malformed
        }
        var value = 0
        for byte in text {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return .malformed }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(digit))
            guard !overflow1, !overflow2 else { return .malformed }
            value = sum
        }
        return .value(value)
    }

    /// Whether every byte of `text[range]` is a decimal digit.
    static func isDecimal(_ text: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        for index in range where text[index] &- UInt8(ascii: "0") >= 10 { return false }
        return true
    }

    /// The result of parsing a non-negative integer field.
    enum NumberParse: Equatable {
        case value(Int)
        case negative
        case malformed
    }
}

/// Byte-level parsing and printing of `UInt256`, for hot paths that work on raw UTF-8 slices.
///
/// These never allocate except when appending to the caller's buffer.
extension UInt256 {
    /// The decimal text of 2^256 − 1 (78 digits): the largest value an ERC-20 amount can take.
    public static let maxDecimalText: StaticString =
        "115792089237316195423570985008687907853269984665640564039457584007913129639935"

    /// Parses ASCII decimal digits (leading zeros allowed); nil for an empty slice, a non-digit
    /// byte, or a value above 2^256 − 1.
    public init?(decimalUTF8 bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return nil }
        var result = UInt256.zero
        var chunk: UInt64 = 0
        var chunkDigits = 0
        for byte in bytes {
            guard byte &- 48 < 10 else { return nil }
            chunk = chunk &* 10 &+ UInt64(byte &- 48)
            chunkDigits += 1
            // 19 digits always fit a UInt64; fold them in with one wide multiply.
            if chunkDigits == 19 {
                guard let next = result.multipliedReportingOverflow(by: 10_000_000_000_000_000_000, adding: chunk)
                else {
                    return nil
                }
                result = next
                chunk = 0
                chunkDigits = 0
            }
        }
        if chunkDigits > 0 {
            guard let next = result.multipliedReportingOverflow(by: Self.powersOfTen[chunkDigits], adding: chunk) else {
                return nil
            }
            result = next
        }
        self = result
    }

    /// Parses hex digits (either case) with an optional `0x`/`0X` prefix. `"0x"` alone is zero,
    /// as explorers send it; an empty slice, a non-hex byte or more than 256 bits give nil.
    public init?(hexUTF8 bytes: UnsafeRawBufferPointer) {
        var start = 0
        let hasPrefix = bytes.count >= 2 && bytes[0] == UInt8(ascii: "0") && (bytes[1] | 0x20) == UInt8(ascii: "x")
        if hasPrefix {
            start = 2
        } else if bytes.isEmpty {
            return nil
        }
        // Skip leading zeros so a zero-padded 32-byte word (or longer padding) still fits.
        while start < bytes.count, bytes[start] == UInt8(ascii: "0") { start += 1 }
        let digitCount = bytes.count - start
        guard digitCount <= 64 else {
            // Could still be a malformed (non-hex) slice; both are nil.
            return nil
        }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var position = 0  // hex digit position counted from the least significant end
        var index = bytes.count - 1
        while index >= start {
            guard let digit = Self.hexDigitValue(bytes[index]) else { return nil }
            let shift = UInt64((position & 15) * 4)
            switch position >> 4 {
            case 0: words.0 |= digit << shift
            case 1: words.1 |= digit << shift
            case 2: words.2 |= digit << shift
            default: words.3 |= digit << shift
            }
            position += 1
            index -= 1
        }
        self.init(words: words)
    }

    /// Whether `digits` (ASCII decimal digits without leading zeros) denotes a value ≤ 2^256 − 1.
    ///
    /// Compares text instead of parsing, which is what the normalizer's hot path needs.
    public static func decimalDigitsFit(_ digits: UnsafeRawBufferPointer) -> Bool {
        let limit = maxDecimalText.utf8CodeUnitCount
        if digits.count != limit { return digits.count < limit }
        let maximum = maxDecimalText.utf8Start
        for index in 0..<limit where digits[index] != maximum[index] {
            return digits[index] < maximum[index]
        }
        return true
    }

    /// Appends the decimal digits (no leading zeros, "0" for zero) to `buffer`.
    public func appendDecimal(to buffer: inout [UInt8]) {
        if words.1 == 0, words.2 == 0, words.3 == 0 {
            Self.appendDecimal(words.0, to: &buffer, minimumDigits: 1)
            return
        }
        // At most 5 chunks of 19 digits: 2^256 has 78 digits.
        var value = self
        var chunks: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &chunks) { raw in
            let slots = raw.bindMemory(to: UInt64.self)
            while !value.isZero {
                slots[count] = value.divide(by: 10_000_000_000_000_000_000)
                count += 1
            }
            Self.appendDecimal(slots[count - 1], to: &buffer, minimumDigits: 1)
            var index = count - 2
            while index >= 0 {
                Self.appendDecimal(slots[index], to: &buffer, minimumDigits: 19)
                index -= 1
            }
        }
    }

    /// Appends `value` in decimal, left-padded with zeros to `minimumDigits` (at most 20).
    static func appendDecimal(_ value: UInt64, to buffer: inout [UInt8], minimumDigits: Int) {
        withDecimalDigits(value, minimumDigits: minimumDigits) { buffer.append(contentsOf: $0) }
    }

    /// Calls `body` with the decimal digits of `value`, left-padded with zeros to
    /// `minimumDigits` (at most 20), in a stack buffer.
    @inline(__always)
    static func withDecimalDigits<Result>(
        _ value: UInt64, minimumDigits: Int, _ body: (UnsafeRawBufferPointer) -> Result
    ) -> Result {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, enough for 20 digits
        return withUnsafeMutableBytes(of: &digits) { scratch in
            // Fill from the end so the digits come out in order and go out in one copy.
            var remaining = value
            var start = scratch.count
            repeat {
                start -= 1
                scratch[start] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0 || scratch.count - start < minimumDigits
            return body(UnsafeRawBufferPointer(rebasing: scratch[start...]))
        }
    }

    /// The value of one hex digit byte, either case.
    @inline(__always)
    static func hexDigitValue(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(byte &- 48)
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt64(byte &- 87)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt64(byte &- 55)
        default: return nil
        }
    }

    private static let powersOfTen: [UInt64] = {
        var powers: [UInt64] = [1]
        for _ in 1...19 { powers.append(powers[powers.count - 1] * 10) }
        return powers
    }()
}

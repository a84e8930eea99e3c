/// An unsigned 256-bit integer, enough for any ERC-20 amount, parsed from and printed as text.
///
/// Amounts are never routed through `Int64` or `Double`; this type is the only arithmetic on them
/// outside Postgres `numeric`. Words are little-endian (`words.0` is least significant).
public struct UInt256: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var words: (UInt64, UInt64, UInt64, UInt64)

    public static let zero = UInt256(words: (0, 0, 0, 0))
    public static let max = UInt256(words: (.max, .max, .max, .max))

    public init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    public init(_ value: UInt64) {
        self.words = (value, 0, 0, 0)
    }

    /// Parses decimal digits; nil for an empty string, a non-digit, or a value above 2^256 − 1.
    public init?(decimal text: some StringProtocol) {
        var copy = String(text)
        guard let value = copy.withUTF8({ UInt256(decimalUTF8: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = value
    }

    /// Parses hex digits with an optional `0x` prefix. `"0x"` alone is zero (explorers send it);
    /// an empty string, a non-hex digit or a value above 2^256 − 1 give nil.
    public init?(hex text: some StringProtocol) {
        var copy = String(text)
        guard let value = copy.withUTF8({ UInt256(hexUTF8: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = value
    }

    public var isZero: Bool { self == .zero }

    /// `self * factor + addend`, or nil on overflow past 2^256 − 1.
    public func multipliedReportingOverflow(by factor: UInt64, adding addend: UInt64) -> UInt256? {
        var carry = addend
        var out = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        func step(_ word: UInt64) -> UInt64 {
            let product = word.multipliedFullWidth(by: factor)
            let (low, overflow) = product.low.addingReportingOverflow(carry)
            carry = product.high &+ (overflow ? 1 : 0)
            return low
        }
        out.0 = step(words.0)
        out.1 = step(words.1)
        out.2 = step(words.2)
        out.3 = step(words.3)
        return carry == 0 ? UInt256(words: out) : nil
    }

    /// `self + other` and whether it wrapped past 2^256.
    public func addingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        var carry: UInt64 = 0
        func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let (s1, o1) = a.addingReportingOverflow(b)
            let (s2, o2) = s1.addingReportingOverflow(carry)
            carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
            return s2
        }
        let w0 = add(words.0, other.words.0)
        let w1 = add(words.1, other.words.1)
        let w2 = add(words.2, other.words.2)
        let w3 = add(words.3, other.words.3)
        return (UInt256(words: (w0, w1, w2, w3)), carry != 0)
    }

    /// `self - other` and whether it borrowed (other > self).
    public func subtractingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        var borrow: UInt64 = 0
        func sub(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let (d1, o1) = a.subtractingReportingOverflow(b)
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            borrow = (o1 ? 1 : 0) + (o2 ? 1 : 0)
            return d2
        }
        let w0 = sub(words.0, other.words.0)
        let w1 = sub(words.1, other.words.1)
        let w2 = sub(words.2, other.words.2)
        let w3 = sub(words.3, other.words.3)
        return (UInt256(words: (w0, w1, w2, w3)), borrow != 0)
    }

    /// Divides in place by a small divisor, returning the remainder.
    mutating func divide(by divisor: UInt64) -> UInt64 {
        var remainder: UInt64 = 0
        func step(_ word: UInt64) -> UInt64 {
            let (quotient, rest) = divisor.dividingFullWidth((remainder, word))
            remainder = rest
            return quotient
        }
        let w3 = step(words.3)
        let w2 = step(words.2)
        let w1 = step(words.1)
        let w0 = step(words.0)
        words = (w0, w1, w2, w3)
        return remainder
    }

    /// The decimal digits, without leading zeros ("0" for zero).
    public var description: String {
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        appendDecimal(to: &digits)
        return String(decoding: digits, as: UTF8.self)
    }

    public static func == (lhs: UInt256, rhs: UInt256) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
            && lhs.words.3 == rhs.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    public static func < (lhs: UInt256, rhs: UInt256) -> Bool {
        if lhs.words.3 != rhs.words.3 { return lhs.words.3 < rhs.words.3 }
        if lhs.words.2 != rhs.words.2 { return lhs.words.2 < rhs.words.2 }
        if lhs.words.1 != rhs.words.1 { return lhs.words.1 < rhs.words.1 }
        return lhs.words.0 < rhs.words.0
    }
}

/// An exact running sum of amounts that may exceed 2^256 (e.g. a day's volume of a token that
/// moves values near 2^256 − 1). Postgres holds such sums as unbounded `numeric`.
public struct AmountSum: Hashable, Sendable, CustomStringConvertible {
    /// The low 256 bits.
    public private(set) var low = UInt256.zero
    /// How many times the sum wrapped past 2^256.
    public private(set) var high: UInt64 = 0

    public init() {}

    public mutating func add(_ amount: UInt256) {
        let (sum, overflow) = low.addingReportingOverflow(amount)
        low = sum
        if overflow { high += 1 }
    }

    /// Subtracts `amount`; the sum must stay non-negative (callers track signed values as two sums).
    public mutating func subtract(_ amount: UInt256) {
        let (difference, borrow) = low.subtractingReportingOverflow(amount)
        low = difference
        if borrow {
            precondition(high > 0, "AmountSum went negative")
            high -= 1
        }
    }

    /// Exact decimal text of `high * 2^256 + low`.
    public var description: String {
        if high == 0 { return low.description }
        // Schoolbook: convert via repeated division on a 5-word little-endian array.
        var limbs: [UInt64] = [low.words.0, low.words.1, low.words.2, low.words.3, high]
        var chunks: [UInt64] = []
        while limbs.contains(where: { $0 != 0 }) {
            var remainder: UInt64 = 0
            for index in stride(from: limbs.count - 1, through: 0, by: -1) {
                let (quotient, rest) = UInt64(10_000_000_000_000_000_000).dividingFullWidth((remainder, limbs[index]))
                limbs[index] = quotient
                remainder = rest
            }
            chunks.append(remainder)
        }
        var text = String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let digits = String(chunk)
            text += String(repeating: "0", count: 19 - digits.count) + digits
        }
        return text
    }
}

import ChainETLCore

/// An exact unsigned integer of up to 384 bits, for sums of amounts and their comparisons.
///
/// A day's sum of uint256 values can pass 2^256 (Postgres keeps it as unbounded `numeric`); 384
/// bits hold 2^128 such values, and a sum scaled by a tolerance factor below 2^64. Arithmetic
/// reports overflow instead of wrapping. Limbs are little-endian.
struct WideUnsigned: Hashable, Comparable, Sendable, CustomStringConvertible {
    static let limbCount = 6
    private(set) var limbs: [UInt64]

    static let zero = WideUnsigned()

    init() {
        limbs = Array(repeating: 0, count: Self.limbCount)
    }

    init(_ value: UInt256) {
        self.init()
        limbs[0] = value.words.0
        limbs[1] = value.words.1
        limbs[2] = value.words.2
        limbs[3] = value.words.3
    }

    init(_ value: UInt64) {
        self.init()
        limbs[0] = value
    }

    /// Decimal digits (no sign, no spaces); nil for anything else or a value past 384 bits.
    init?(decimal text: some StringProtocol) {
        self.init()
        var sawDigit = false
        for byte in text.utf8 {
            guard byte >= 48, byte <= 57 else { return nil }
            guard let next = multiplied(by: 10, adding: UInt64(byte - 48)) else { return nil }
            self = next
            sawDigit = true
        }
        guard sawDigit else { return nil }
    }

    var isZero: Bool { limbs.allSatisfy { $0 == 0 } }

    /// `self * factor + addend`, or nil on overflow.
    func multiplied(by factor: UInt64, adding addend: UInt64 = 0) -> WideUnsigned? {
        var result = self
        var carry = addend
        for index in 0..<Self.limbCount {
            let product = limbs[index].multipliedFullWidth(by: factor)
            let (low, overflow) = product.low.addingReportingOverflow(carry)
            result.limbs[index] = low
            carry = product.high &+ (overflow ? 1 : 0)
        }
        return carry == 0 ? result : nil
    }

    /// Adds `other`; returns false (leaving `self` unspecified) on overflow.
    mutating func add(_ other: WideUnsigned) -> Bool {
        var carry: UInt64 = 0
        for index in 0..<Self.limbCount {
            let (partial, overflow1) = limbs[index].addingReportingOverflow(other.limbs[index])
            let (sum, overflow2) = partial.addingReportingOverflow(carry)
            limbs[index] = sum
            carry = (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0)
        }
        return carry == 0
    }

    /// Adds a uint256 amount; returns false on overflow.
    mutating func add(_ amount: UInt256) -> Bool {
        add(WideUnsigned(amount))
    }

    /// `|self - other|`.
    func distance(to other: WideUnsigned) -> WideUnsigned {
        let (larger, smaller) = self >= other ? (self, other) : (other, self)
        var result = larger
        var borrow: UInt64 = 0
        for index in 0..<Self.limbCount {
            let (partial, overflow1) = larger.limbs[index].subtractingReportingOverflow(smaller.limbs[index])
            let (difference, overflow2) = partial.subtractingReportingOverflow(borrow)
            result.limbs[index] = difference
            borrow = (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0)
        }
        return result
    }

    /// `after - before` as a signed decimal: `+5`, `-12`, `0`.
    static func signedDifference(from before: WideUnsigned, to after: WideUnsigned) -> String {
        if before == after { return "0" }
        let magnitude = after.distance(to: before).description
        return (after > before ? "+" : "-") + magnitude
    }

    static func < (lhs: WideUnsigned, rhs: WideUnsigned) -> Bool {
        for index in stride(from: limbCount - 1, through: 0, by: -1) where lhs.limbs[index] != rhs.limbs[index] {
            return lhs.limbs[index] < rhs.limbs[index]
        }
        return false
    }

    var description: String {
        var work = limbs
        var chunks: [UInt64] = []
        repeat {
            var remainder: UInt64 = 0
            for index in stride(from: work.count - 1, through: 0, by: -1) {
                let (quotient, rest) = UInt64(10_000_000_000_000_000_000).dividingFullWidth((remainder, work[index]))
                work[index] = quotient
                remainder = rest
            }
            chunks.append(remainder)
        } while work.contains(where: { $0 != 0 })
        var text = String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let digits = String(chunk)
            text += String(repeating: "0", count: 19 - digits.count) + digits
        }
        return text
    }
}

import ChainETLCore

/// An exact signed integer of up to 320 bits: a balance (inflows − outflows) or a supply
/// (mints − burns), which synthetic data can drive below zero.
struct SignedAmount: Sendable, Equatable {
    var isNegative: Bool
    /// The magnitude is `high * 2^256 + low`.
    var high: UInt64
    var low: UInt256

    /// `plus − minus`, exactly.
    init(_ plus: AmountSum, minus: AmountSum) {
        let plusIsSmaller = plus.high != minus.high ? plus.high < minus.high : plus.low < minus.low
        let (larger, smaller) = plusIsSmaller ? (minus, plus) : (plus, minus)
        let (difference, borrow) = larger.low.subtractingReportingOverflow(smaller.low)
        isNegative = plusIsSmaller
        low = difference
        high = larger.high - smaller.high - (borrow ? 1 : 0)
    }

    var isZero: Bool { high == 0 && low.isZero }
    var isPositive: Bool { !isNegative && !isZero }

    /// Decimal digits with a leading `-` when negative.
    var description: String {
        let digits = Self.decimal(high: high, low: low)
        return isNegative && !isZero ? "-" + digits : digits
    }

    /// Decimal text of `high * 2^256 + low`.
    static func decimal(high: UInt64, low: UInt256) -> String {
        if high == 0 { return low.description }
        var limbs: [UInt64] = [low.words.0, low.words.1, low.words.2, low.words.3, high]
        var chunks: [UInt64] = []
        let base: UInt64 = 10_000_000_000_000_000_000
        while limbs.contains(where: { $0 != 0 }) {
            var remainder: UInt64 = 0
            for index in stride(from: limbs.count - 1, through: 0, by: -1) {
                let (quotient, rest) = base.dividingFullWidth((remainder, limbs[index]))
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

/// Exact decimal text for a Postgres `numeric`, validated but never converted to a float.
///
/// Accepted: `12`, `0.5`, `.5`, `1.`, `+3`, `1.5e-3` (plain digits with an optional sign, point
/// and exponent). Refused: negatives (amounts and prices are never negative), `NaN`, infinities,
/// hex, thousands separators, exponents beyond ±1000 and more than 1000 characters (both would
/// fail or explode inside Postgres and abort the whole partition), and values of 10^30 or more
/// (`1e400` is valid text but no sane size or price: the bound is the power of ten, so it is
/// checked exactly, never through a float). `positive` also refuses zero (prices).
enum DecimalText {
    static let maximumLength = 1_000
    static let maximumExponent = 1_000
    /// Values must stay below 10^this.
    static let upperBoundExponent = 30

    /// The text to bind (leading `+` dropped), or why it is not an exact non-negative decimal.
    static func validate(_ text: String, positive: Bool = false) -> Result<String, FieldProblem> {
        let trimmed = text.trimmingASCIIWhitespace()
        if trimmed.isEmpty { return .failure(.missing) }
        guard trimmed.utf8.count <= maximumLength else {
            return .failure(.invalid("more than \(maximumLength) characters"))
        }
        var bytes = Substring(trimmed).utf8[...]
        if bytes.first == UInt8(ascii: "-") {
            return .failure(.invalid("'\(trimmed.prefix(40))' is negative"))
        }
        if bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        let isDigit: (UInt8) -> Bool = { $0 >= 0x30 && $0 <= 0x39 }
        let notDecimal = FieldProblem.invalid("'\(trimmed.prefix(40))' is not a decimal number such as 12.50")
        let integerDigits = bytes.prefix(while: isDigit)
        bytes = bytes.dropFirst(integerDigits.count)
        var fractionDigits = 0
        var fractionLeadingZeros = 0
        var fractionIsZero = true
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            let fraction = bytes.prefix(while: isDigit)
            fractionDigits = fraction.count
            fractionLeadingZeros = fraction.prefix(while: { $0 == 0x30 }).count
            fractionIsZero = fractionLeadingZeros == fraction.count
            bytes = bytes.dropFirst(fraction.count)
        }
        guard integerDigits.count + fractionDigits > 0 else { return .failure(notDecimal) }
        var exponentValue = 0
        if let marker = bytes.first, marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            var negative = false
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                negative = sign == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            let exponent = bytes.prefix(while: isDigit)
            guard !exponent.isEmpty else { return .failure(notDecimal) }
            let magnitude = exponent.drop(while: { $0 == 0x30 })
            let value = magnitude.count <= 4 ? Int(String(decoding: magnitude, as: UTF8.self)) ?? 0 : Int.max
            guard value <= maximumExponent else {
                return .failure(.invalid("'\(trimmed.prefix(40))' has an exponent beyond ±\(maximumExponent)"))
            }
            exponentValue = negative ? -value : value
            bytes = bytes.dropFirst(exponent.count)
        }
        guard bytes.isEmpty else { return .failure(notDecimal) }
        // The power of ten of the leading non-zero digit decides the bound exactly.
        let significantIntegerDigits = integerDigits.drop(while: { $0 == 0x30 }).count
        if significantIntegerDigits == 0 && fractionIsZero {
            if positive { return .failure(.invalid("'\(trimmed.prefix(40))' is zero; a price must be above 0")) }
        } else {
            let leadingPower =
                significantIntegerDigits > 0
                ? significantIntegerDigits - 1 + exponentValue : -(fractionLeadingZeros + 1) + exponentValue
            guard leadingPower < upperBoundExponent else {
                return .failure(.invalid("'\(trimmed.prefix(40))' is not below 1e\(upperBoundExponent)"))
            }
        }
        return .success(trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed)
    }
}

/// Exact text for raw token amounts: never through `Double`, so every digit printed is the stored one.
enum DecimalAmountText {
    /// `raw` (decimal digits) with thousands separators, shifted by `decimals` when known.
    ///
    /// `formatted("1234567890", decimals: 6)` is `1,234.56789`; trailing fractional zeros are dropped
    /// (the value is unchanged). Text that is not plain digits is returned escaped-as-is by the caller.
    static func formatted(_ raw: String, decimals: Int?) -> String {
        let digits = raw.drop { $0 == "0" }
        guard !digits.isEmpty else { return "0" }
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return raw }
        guard let decimals, decimals > 0 else { return HTMLText.groupedDigits(digits) }
        let padded =
            digits.count > decimals
            ? String(digits) : String(repeating: "0", count: decimals - digits.count + 1) + digits
        let split = padded.index(padded.endIndex, offsetBy: -decimals)
        let whole = padded[..<split]
        var fraction = padded[split...]
        while fraction.last == "0" { fraction = fraction.dropLast() }
        let wholeText = HTMLText.groupedDigits(whole)
        return fraction.isEmpty ? wholeText : wholeText + "." + fraction
    }

    /// `$8,912,345,678.12`: an exact decimal (Postgres `numeric` text) in dollars, rounded half up
    /// to cents on the digits (never through `Double`). Text that is not a plain decimal is returned
    /// after `$` unchanged.
    static func dollars(_ text: String) -> String {
        var rest = Substring(text)
        let negative = rest.hasPrefix("-")
        if negative { rest = rest.dropFirst() }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0].isEmpty ? "0" : parts[0]
        let fraction = parts.count > 1 ? parts[1] : ""
        guard whole.allSatisfy({ $0.isASCII && $0.isNumber }), fraction.allSatisfy({ $0.isASCII && $0.isNumber })
        else { return "$" + text }
        var digits = Array(whole + fraction.prefix(2) + String(repeating: "0", count: max(0, 2 - fraction.count)))
        if let next = fraction.dropFirst(2).first, next >= "5" {
            var index = digits.count - 1
            while index >= 0 {
                if digits[index] == "9" {
                    digits[index] = "0"
                    index -= 1
                } else {
                    digits[index] = Character(UnicodeScalar(digits[index].asciiValue! + 1))
                    break
                }
            }
            if index < 0 { digits.insert("1", at: 0) }
        }
        let wholeDigits = String(digits.dropLast(2)).drop { $0 == "0" }
        let cents = String(digits.suffix(2))
        let isZero = wholeDigits.isEmpty && cents == "00"
        return (negative && !isZero ? "-" : "") + "$"
            + (wholeDigits.isEmpty ? "0" : HTMLText.groupedDigits(wholeDigits))
            + "." + cents
    }

    /// An approximation for drawing only (pixel heights); never printed.
    static func magnitude(_ raw: String) -> Double {
        Double(raw) ?? 0
    }
}

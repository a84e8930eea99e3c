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

    /// An approximation for drawing only (pixel heights); never printed.
    static func magnitude(_ raw: String) -> Double {
        Double(raw) ?? 0
    }
}

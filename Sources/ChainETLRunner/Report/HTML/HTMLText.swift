import Foundation

/// Escaping and small formatting helpers for the HTML run report.
enum HTMLText {
    /// `text` safe inside an element or a double-quoted attribute.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// A pixel coordinate with at most one decimal, so the SVG stays small and deterministic.
    static func pixels(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(rounded)
    }

    /// `12,345,678` for a row count.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        return (value < 0 ? "-" : "") + groupedDigits(Substring(digits))
    }

    /// Text for one table line: markup removed (an explorer's HTML error page becomes its words,
    /// e.g. `502 Bad Gateway nginx`), every run of whitespace or control characters one space, cut
    /// at `limit` characters with `…`. Not escaped: pass the result to `escape`.
    static func plainLine(_ text: String, limit: Int = 160) -> String {
        var plain = ""
        var inTag = false
        var pendingSpace = false
        let looksLikeMarkup = text.range(of: "<[a-zA-Z!/]", options: .regularExpression) != nil
        for scalar in text.unicodeScalars {
            if looksLikeMarkup && scalar == "<" {
                inTag = true
                pendingSpace = true
                continue
            }
            if inTag {
                if scalar == ">" { inTag = false }
                continue
            }
            if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control {
                pendingSpace = true
                continue
            }
            if pendingSpace && !plain.isEmpty { plain.append(" ") }
            pendingSpace = false
            plain.unicodeScalars.append(scalar)
        }
        return plain.count > limit ? String(plain.prefix(limit - 1)) + "…" : plain
    }

    /// Inserts a comma every three digits from the right.
    static func groupedDigits(_ digits: Substring) -> String {
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }

    /// A duration as `850 ms`, `12.4 s` or `3 m 05 s`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%d m %02d s", whole / 60, whole % 60) }
        return String(format: "%d h %02d m", whole / 3600, (whole % 3600) / 60)
    }
}

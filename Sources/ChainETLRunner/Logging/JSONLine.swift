import Foundation

/// Encodes a flat JSON object on one line with a stable key order: `leadingKeys` first, then the
/// rest sorted.
enum JSONLine {
    static func encode(_ object: [String: Any], leadingKeys: [String]) -> String {
        let rest = object.keys.filter { !leadingKeys.contains($0) }.sorted()
        var parts: [String] = []
        for key in leadingKeys + rest {
            guard let value = object[key] else { continue }
            parts.append(quote(key) + ":" + fragment(value))
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    private static func fragment(_ value: Any) -> String {
        switch value {
        case let text as String: return quote(text)
        case let items as [Any]: return "[" + items.map(fragment).joined(separator: ",") + "]"
        case let entries as [String: Any]: return encode(entries, leadingKeys: [])
        default: return quote("\(value)")
        }
    }

    /// A JSON string literal, escaping quotes, backslashes and control characters.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out +=
                    "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

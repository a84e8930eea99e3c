import ChainETLCore
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

    /// A JSON string literal (`JSONLineWriter.quoted`).
    static func quote(_ text: String) -> String {
        JSONLineWriter.quoted(text)
    }
}

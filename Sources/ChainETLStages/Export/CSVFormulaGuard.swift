/// Keeps spreadsheets from running formulas that came from explorer text (token names and symbols
/// are attacker-chosen: `=HYPERLINK("…","claim")`), per the OWASP CSV injection guidance, while the
/// exact text stays recoverable (docs/exports.md "Spreadsheet safety").
///
/// In the CSV of a text column, a value that starts with a formula trigger (`=`, `+`, `-`, `@`,
/// tab, CR), or with one or more `'` followed by one, gets one more `'` in front. A spreadsheet shows
/// such a cell as text. Reading back removes one `'` from a value that starts with `'` followed by
/// `'`… and a trigger, which is exactly the inverse. The manifest marks the escaped columns
/// (`formula_escaped`); NDJSON files hold the exact text.
enum CSVFormulaGuard {
    /// The escape character a spreadsheet treats as "this cell is text".
    static let prefix: Character = "'"
    /// The first characters that make a spreadsheet evaluate a cell.
    static let triggers: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    /// The spreadsheet-safe CSV form of a text value.
    static func escaped(_ value: String) -> String {
        needsEscape(value[...]) ? String(prefix) + value : value
    }

    /// The exact text of a CSV value written by `escaped`.
    static func unescaped(_ value: String) -> String {
        guard value.first == prefix, needsEscape(value.dropFirst()) else { return value }
        return String(value.dropFirst())
    }

    /// Whether `value` is `'`* followed by a trigger.
    private static func needsEscape(_ value: Substring) -> Bool {
        guard let first = value.first(where: { $0 != prefix }) else { return false }
        return triggers.contains(first)
    }
}

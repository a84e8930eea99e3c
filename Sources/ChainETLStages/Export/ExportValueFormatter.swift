import ChainETLCore

/// Turns Postgres text values into CSV fields and NDJSON members, column by column.
///
/// Stateless and pure: the export stage feeds it the text libpq returns, so it is unit-tested
/// without a database.
enum ExportValueFormatter {
    /// The CSV/NDJSON text of a non-null value of `kind`, or nil when the text is not what a
    /// `TimeZone UTC`, `DateStyle ISO` session prints (the caller reports the column).
    static func text(_ value: String, kind: ExportColumnKind) -> String? {
        switch kind {
        case .timestampUTC: return isoTimestamp(value, utc: true)
        case .timestampLocal: return isoTimestamp(value, utc: false)
        case .boolean:
            switch value {
            case "t": return "true"
            case "f": return "false"
            default: return nil
            }
        case .integer, .numeric, .date, .json, .text:
            return value
        }
    }

    /// `2026-11-20 00:00:12.5+00` → `2026-11-20T00:00:12.5Z` (`utc`), or
    /// `2026-11-20 00:00:12` → `2026-11-20T00:00:12`. `infinity` and `-infinity` pass unchanged;
    /// BC dates and non-UTC offsets give nil.
    static func isoTimestamp(_ value: String, utc: Bool) -> String? {
        if value == "infinity" || value == "-infinity" { return value }
        var body = Substring(value)
        if utc {
            guard body.hasSuffix("+00") else { return nil }
            body = body.dropLast(3)
        }
        let parts = body.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, isDate(parts[0]), isTime(parts[1]) else { return nil }
        return "\(parts[0])T\(parts[1])" + (utc ? "Z" : "")
    }

    /// Appends `"name":value` to an NDJSON object. `value` is already formatted by `text(_:kind:)`.
    static func appendJSON(name: String, _ value: String?, kind: ExportColumnKind, to line: inout JSONLineWriter) {
        line.key(name)
        guard var value else {
            line.null()
            return
        }
        switch kind {
        case .integer, .json:
            value.withUTF8 { line.raw(UnsafeRawBufferPointer($0)) }
        case .boolean:
            line.bool(value == "true")
        case .numeric, .timestampUTC, .timestampLocal, .date, .text:
            line.string(value)
        }
    }

    /// `YYYY-MM-DD` with a year of four or more digits.
    private static func isDate(_ text: Substring) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0].count >= 4 && parts[1].count == 2 && parts[2].count == 2
            && parts.allSatisfy { $0.utf8.allSatisfy(isDigit) }
    }

    /// `HH:MM:SS` with optional fractional seconds.
    private static func isTime(_ text: Substring) -> Bool {
        let pieces = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let clock = pieces[0].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 && $0.utf8.allSatisfy(isDigit) }) else {
            return false
        }
        return pieces.count == 1 || (!pieces[1].isEmpty && pieces[1].utf8.allSatisfy(isDigit))
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}

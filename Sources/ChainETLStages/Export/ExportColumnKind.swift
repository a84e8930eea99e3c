/// How an exported column's Postgres text is written to CSV and NDJSON, by its Postgres type.
///
/// Postgres sends every value as text (the session is set to `TimeZone UTC`, `DateStyle ISO`),
/// so no value ever passes through a binary float: amounts stay digit strings end to end.
enum ExportColumnKind: Sendable, Equatable {
    /// `smallint`, `integer`, `bigint`: CSV digits, a JSON number.
    case integer
    /// `numeric`: CSV digits (plain decimal, no exponent), a JSON string so no reader rounds it.
    case numeric
    /// `boolean`: `true` / `false` in both.
    case boolean
    /// `timestamp with time zone`: ISO 8601 UTC, `2026-11-20T00:00:12Z`.
    case timestampUTC
    /// `timestamp without time zone`: ISO 8601 without an offset, `2026-11-20T00:00:12`.
    case timestampLocal
    /// `date`: `YYYY-MM-DD`.
    case date
    /// `json`, `jsonb`: the document as CSV text, embedded as JSON in NDJSON.
    case json
    /// Everything else (`text`, `character varying`, `uuid`, arrays …): text.
    case text

    /// The kind for a type name as `format_type` / `regtype` prints it, or nil for types that
    /// cannot be exported exactly (binary floats and `money`).
    init?(postgresType: String) {
        let base = Self.baseName(postgresType)
        switch base {
        case "smallint", "integer", "bigint": self = .integer
        case "numeric": self = .numeric
        case "boolean": self = .boolean
        case "timestamp with time zone": self = .timestampUTC
        case "timestamp without time zone": self = .timestampLocal
        case "date": self = .date
        case "json", "jsonb": self = .json
        case "real", "double precision", "money": return nil
        default: self = .text
        }
    }

    /// The type name without a type modifier: `numeric(78,0)` → `numeric`,
    /// `timestamp(3) with time zone` → `timestamp with time zone`. Arrays stay arrays.
    static func baseName(_ type: String) -> String {
        guard !type.hasSuffix("[]") else { return type }
        var result = ""
        var depth = 0
        for character in type {
            if character == "(" {
                depth += 1
            } else if character == ")" {
                depth -= 1
            } else if depth == 0 {
                result.append(character)
            }
        }
        return result.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}

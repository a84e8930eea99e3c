import ChainETLCore
import Foundation

/// A Swift value that can be bound to a `$n` placeholder, sent in Postgres text format.
///
/// Amounts are bound as decimal `String`s (into `numeric`), never as `Double`.
public protocol PostgresBindable {
    /// The value in Postgres text input format; nil binds SQL NULL.
    var postgresText: String? { get }
}

extension Optional where Wrapped == any PostgresBindable {
    /// An explicit SQL NULL, for `SQLQuery("…", [.null])`.
    public static var null: (any PostgresBindable)? { nil }
}

extension String: PostgresBindable {
    public var postgresText: String? { self }
}

extension Substring: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Int: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Bool: PostgresBindable {
    public var postgresText: String? { self ? "t" : "f" }
}

extension Double: PostgresBindable {
    /// For parameters only (rates, thresholds); never for amounts.
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return String(self)
    }
}

extension Date: PostgresBindable {
    /// ISO 8601 in UTC with microseconds, e.g. `2026-11-20T00:00:12.000000Z` (for `timestamptz`).
    public var postgresText: String? { UTCTimestamp.iso8601(self, precision: .microseconds) }
}

extension Array: PostgresBindable where Element == UInt8 {
    /// `bytea` in hex format (`\x0a1b…`).
    public var postgresText: String? {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(2 + count * 2)
        text.append(UInt8(ascii: "\\"))
        text.append(UInt8(ascii: "x"))
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// A `text[]` value (`{"a","b"}`), e.g. the partitions of a run; nil elements are NULL.
public struct PostgresTextArray: PostgresBindable, Sendable, Equatable {
    public var elements: [String?]

    public init(_ elements: [String?]) {
        self.elements = elements
    }

    public var postgresText: String? {
        let quoted = elements.map { element -> String in
            guard let element else { return "NULL" }
            var text = "\""
            for character in element.unicodeScalars {
                if character == "\"" || character == "\\" { text.unicodeScalars.append("\\") }
                text.unicodeScalars.append(character)
            }
            return text + "\""
        }
        return "{" + quoted.joined(separator: ",") + "}"
    }
}

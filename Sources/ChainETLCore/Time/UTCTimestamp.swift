import Foundation

/// UTC timestamps as text: the one home for formatting a `Date` (the hot per-row path of
/// `block_time` is `BlockTimeText`, which this builds on).
///
/// Written without Foundation formatters, which allocate, depend on a locale and are not safe on
/// every thread. Whole seconds and milliseconds round down (a timestamp never names a moment
/// that has not happened yet); microseconds round to the nearest, so a value read back from
/// PostgreSQL (microsecond precision) formats to the same text despite `Double`'s binary fractions.
public enum UTCTimestamp {
    /// The digits after the second.
    public enum Precision: Sendable {
        /// `2026-11-20T03:00:00Z`.
        case seconds
        /// `2026-11-20T03:00:00.123Z`.
        case milliseconds
        /// `2026-11-20T03:00:00.123456Z`.
        case microseconds
    }

    /// ISO 8601, e.g. `2026-11-20T03:00:00.123Z` with `.milliseconds`.
    public static func iso8601(_ date: Date, precision: Precision = .seconds) -> String {
        let (seconds, fraction) = split(date, precision)
        let text = BlockTimeText.text(unixSeconds: seconds)
        switch precision {
        case .seconds: return text
        case .milliseconds: return text.dropLast() + "." + pad(fraction, 3) + "Z"
        case .microseconds: return text.dropLast() + "." + pad(fraction, 6) + "Z"
        }
    }

    /// `20261120T030000Z`: sortable and safe in file names (run ids).
    public static func compact(_ date: Date) -> String {
        iso8601(date).filter { $0 != "-" && $0 != ":" }
    }

    /// `2026-11-20 03:00:00Z`: for people (reports, `status`).
    public static func readable(_ date: Date) -> String {
        iso8601(date).replacingOccurrences(of: "T", with: " ")
    }

    /// `03:00:00`: the time of day, for text logs.
    public static func timeOfDay(_ date: Date) -> String {
        String(iso8601(date).dropFirst(11).dropLast())
    }

    /// Whole seconds since the epoch and the fraction in the precision's unit, both floored
    /// (after rounding to the nearest microsecond for `.microseconds`).
    private static func split(_ date: Date, _ precision: Precision) -> (seconds: Int, fraction: Int) {
        let units: Int
        let count: Double
        switch precision {
        case .seconds: (units, count) = (1, date.timeIntervalSince1970.rounded(.down))
        case .milliseconds: (units, count) = (1000, (date.timeIntervalSince1970 * 1000).rounded(.down))
        case .microseconds: (units, count) = (1_000_000, (date.timeIntervalSince1970 * 1_000_000).rounded())
        }
        let total = Int(count)
        let seconds = total >= 0 ? total / units : -((-total + units - 1) / units)
        return (seconds, total - seconds * units)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

import Foundation

/// A UTC calendar day: the unit of partitioning for every stage.
///
/// Stored as days since 1970-01-01 so arithmetic and ordering are exact and time-zone free.
public struct PartitionDay: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// Days since 1970-01-01 (UTC).
    public let daysSinceEpoch: Int

    public init(daysSinceEpoch: Int) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// Parses `YYYY-MM-DD` strictly; nil for anything else, including impossible dates.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        let check = PartitionDay(daysSinceEpoch: days)
        guard check.components == (year, month, day) else { return nil }
        self.daysSinceEpoch = days
    }

    /// The UTC day containing `date`.
    public init(containing date: Date) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        self.daysSinceEpoch = Int((Double(seconds) / 86_400).rounded(.down))
    }

    /// The day before today, in UTC: the nightly run's default partition.
    public static func yesterday(now: Date = Date()) -> PartitionDay {
        PartitionDay(containing: now).advanced(by: -1)
    }

    /// Every day from `first` through `last`, inclusive.
    public static func range(from first: PartitionDay, through last: PartitionDay) -> [PartitionDay] {
        guard first <= last else { return [] }
        return (first.daysSinceEpoch...last.daysSinceEpoch).map(PartitionDay.init(daysSinceEpoch:))
    }

    public func advanced(by days: Int) -> PartitionDay {
        PartitionDay(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// Unix seconds of 00:00:00 UTC on this day.
    public var startUnixSeconds: Int { daysSinceEpoch * 86_400 }
    /// Unix seconds of 00:00:00 UTC on the next day (exclusive end).
    public var endUnixSeconds: Int { (daysSinceEpoch + 1) * 86_400 }
    public var start: Date { Date(timeIntervalSince1970: TimeInterval(startUnixSeconds)) }
    public var end: Date { Date(timeIntervalSince1970: TimeInterval(endUnixSeconds)) }

    public var components: (year: Int, month: Int, day: Int) {
        Self.civilFromDays(daysSinceEpoch)
    }

    /// ISO weekday: Monday = 1 … Sunday = 7.
    public var isoWeekday: Int {
        // 1970-01-01 was a Thursday (4).
        ((daysSinceEpoch % 7 + 7) % 7 + 3) % 7 + 1
    }

    public var description: String {
        let (year, month, day) = components
        return String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (lhs: PartitionDay, rhs: PartitionDay) -> Bool {
        lhs.daysSinceEpoch < rhs.daysSinceEpoch
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let day = PartitionDay(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected YYYY-MM-DD, got \(text)")
        }
        self = day
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // Howard Hinnant's civil-date algorithms: exact for the proleptic Gregorian calendar.
    /// Days since 1970-01-01 of a (valid) proleptic Gregorian date.
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}

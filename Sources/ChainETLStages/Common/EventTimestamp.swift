import ChainETLCore

/// An instant read from an application event: an RFC 3339 string or a Unix epoch number.
///
/// Accepted: `2026-11-20T10:00:00Z`, a space instead of `T`, up to 9 fraction digits (kept to the
/// microsecond, truncated), `Z` or a `±hh:mm` offset; or a JSON integer of Unix seconds (below
/// 10^11) or milliseconds. A string without a zone is refused: the day it falls on would be a guess.
struct EventTimestamp: Hashable, Sendable, Comparable {
    /// Microseconds since 1970-01-01T00:00:00Z.
    let unixMicroseconds: Int64

    /// The UTC day of the instant.
    var day: PartitionDay {
        PartitionDay(daysSinceEpoch: Int(Self.floorDivide(unixMicroseconds, 86_400_000_000)))
    }

    /// UTC text for a Postgres `timestamptz`, e.g. `2026-11-20 10:00:00.123456+00`.
    var postgresText: String {
        let day = self.day
        let microOfDay = unixMicroseconds - Int64(day.startUnixSeconds) * 1_000_000
        let secondOfDay = Int(microOfDay / 1_000_000)
        let micros = Int(microOfDay % 1_000_000)
        return "\(day) \(Self.pad(secondOfDay / 3600, 2)):\(Self.pad(secondOfDay % 3600 / 60, 2)):"
            + "\(Self.pad(secondOfDay % 60, 2)).\(Self.pad(micros, 6))+00"
    }

    static func < (lhs: EventTimestamp, rhs: EventTimestamp) -> Bool { lhs.unixMicroseconds < rhs.unixMicroseconds }

    init(unixMicroseconds: Int64) {
        self.unixMicroseconds = unixMicroseconds
    }

    /// Reads the value `slice` of `scanner`; the failure says what is wrong, for quarantine reasons.
    static func parse(_ slice: JSONSlice, in scanner: JSONScanner) -> Result<EventTimestamp, FieldProblem> {
        switch slice.kind {
        case .string:
            // Timestamps hold no escapes: read the bytes in place (normalize's Blockscout v2 path).
            if !scanner.hasEscapes(slice) { return parse(utf8: scanner.rawBytes(slice)) }
            guard let text = try? scanner.string(slice) else { return .failure(.invalid("a malformed string")) }
            return parse(text)
        case .number:
            let text = String(decoding: scanner.rawBytes(slice), as: UTF8.self)
            return parseEpoch(text)
        case .null:
            return .failure(.missing)
        default:
            return .failure(.invalid("not a timestamp string or epoch number"))
        }
    }

    /// Reads RFC 3339 text (or an epoch integer written as text, as CSV files carry it).
    static func parse(_ text: String) -> Result<EventTimestamp, FieldProblem> {
        var copy = text
        return copy.withUTF8 { parse(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// `parse(_:)` on UTF-8 bytes; allocates only to describe a failure.
    static func parse(utf8 raw: UnsafeRawBufferPointer) -> Result<EventTimestamp, FieldProblem> {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        var start = 0
        var end = raw.count
        while start < end, isSpace(raw[start]) { start += 1 }
        while end > start, isSpace(raw[end - 1]) { end -= 1 }
        let bytes = UnsafeRawBufferPointer(rebasing: raw[start..<end])
        if bytes.isEmpty { return .failure(.missing) }
        if bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return parseEpoch(String(decoding: bytes, as: UTF8.self))
        }
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<(index + width)] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += width
            return value
        }
        func expect(_ first: UInt8, _ second: UInt8? = nil, _ third: UInt8? = nil) -> Bool {
            guard index < bytes.count else { return false }
            let byte = bytes[index]
            guard byte == first || byte == second || byte == third else { return false }
            index += 1
            return true
        }
        func invalid() -> FieldProblem {
            let shown = String(decoding: bytes.prefix(40), as: UTF8.self)
            return .invalid("'\(shown)' is not an RFC 3339 timestamp such as 2026-11-20T10:00:00Z")
        }
        let dash = UInt8(ascii: "-")
        let colon = UInt8(ascii: ":")
        guard let year = number(4), expect(dash), let month = number(2), expect(dash), let dayOfMonth = number(2),
            expect(UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")), let hour = number(2), expect(colon),
            let minute = number(2), expect(colon), let second = number(2)
        else { return .failure(invalid()) }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(dayOfMonth),
            hour < 24, minute < 60, second < 60
        else { return .failure(invalid()) }
        var micros = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                if digits < 6 { micros = micros * 10 + Int(bytes[index] - 0x30) }
                digits += 1
                index += 1
            }
            guard (1...9).contains(digits) else { return .failure(invalid()) }
            if digits < 6 { for _ in digits..<6 { micros *= 10 } }
        }
        guard index < bytes.count else {
            let shown = String(decoding: bytes.prefix(40), as: UTF8.self)
            return .failure(.invalid("'\(shown)' has no time zone; add Z or an offset such as +00:00"))
        }
        var offsetSeconds = 0
        if expect(UInt8(ascii: "Z"), UInt8(ascii: "z")) {
        } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == dash {
            let sign = bytes[index] == dash ? -1 : 1
            index += 1
            guard let offsetHours = number(2), expect(colon), let offsetMinutes = number(2), offsetHours < 24,
                offsetMinutes < 60
            else { return .failure(invalid()) }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return .failure(invalid())
        }
        guard index == bytes.count else { return .failure(invalid()) }
        let days = PartitionDay.daysFromCivil(year: year, month: month, day: dayOfMonth)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return .success(EventTimestamp(unixMicroseconds: seconds * 1_000_000 + Int64(micros)))
    }

    /// Unix seconds below 10^11 (until the year 5138), milliseconds from there on.
    private static func parseEpoch(_ text: String) -> Result<EventTimestamp, FieldProblem> {
        guard text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), text.utf8.count <= 16, let value = Int64(text) else {
            return .failure(.invalid("'\(text.prefix(40))' is not a whole number of Unix seconds or milliseconds"))
        }
        return .success(EventTimestamp(unixMicroseconds: value < 100_000_000_000 ? value * 1_000_000 : value * 1_000))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

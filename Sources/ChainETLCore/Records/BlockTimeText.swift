/// The `block_time` text of canonical records: UTC ISO-8601 to the second, `YYYY-MM-DDTHH:MM:SSZ`.
///
/// Written by hand because the hot path formats one per row and Foundation's formatters allocate.
public enum BlockTimeText {
    /// The length of the text in bytes.
    public static let length = 20

    /// The text of `unixSeconds`, e.g. `2026-11-20T00:00:12Z`.
    public static func text(unixSeconds: Int) -> String {
        var bytes: [UInt8] = []
        append(unixSeconds: unixSeconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the 20 bytes of `unixSeconds` as `YYYY-MM-DDTHH:MM:SSZ`.
    public static func append(unixSeconds: Int, to buffer: inout [UInt8]) {
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { raw in
            write(unixSeconds: unixSeconds, into: raw)
            buffer.append(contentsOf: raw[0..<length])
        }
    }

    /// Writes the 20 bytes of `unixSeconds` as `YYYY-MM-DDTHH:MM:SSZ` at the start of `buffer`.
    public static func write(unixSeconds: Int, into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count >= length)
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let secondOfDay = unixSeconds - days * 86_400
        let (year, month, day) = PartitionDay.civilFromDays(days)
        putDigits(year, at: 0, count: 4, in: buffer)
        buffer[4] = UInt8(ascii: "-")
        putDigits(month, at: 5, count: 2, in: buffer)
        buffer[7] = UInt8(ascii: "-")
        putDigits(day, at: 8, count: 2, in: buffer)
        buffer[10] = UInt8(ascii: "T")
        putDigits(secondOfDay / 3_600, at: 11, count: 2, in: buffer)
        buffer[13] = UInt8(ascii: ":")
        putDigits(secondOfDay / 60 % 60, at: 14, count: 2, in: buffer)
        buffer[16] = UInt8(ascii: ":")
        putDigits(secondOfDay % 60, at: 17, count: 2, in: buffer)
        buffer[19] = UInt8(ascii: "Z")
    }

    /// Parses exactly `YYYY-MM-DDTHH:MM:SSZ` into unix seconds; nil for anything else.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count == length else { return nil }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            bytes[19] == UInt8(ascii: "Z"),
            let year = number(bytes, 0, 4), let month = number(bytes, 5, 2), let day = number(bytes, 8, 2),
            let hour = number(bytes, 11, 2), let minute = number(bytes, 14, 2), let second = number(bytes, 17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        let days = PartitionDay.daysFromCivil(year: year, month: month, day: day)
        guard PartitionDay.civilFromDays(days) == (year, month, day) else { return nil }
        return days * 86_400 + hour * 3_600 + minute * 60 + second
    }

    private static func number(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for index in start..<(start + count) {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    private static func putDigits(_ value: Int, at start: Int, count: Int, in buffer: UnsafeMutableRawBufferPointer) {
        var remaining = value
        var index = start + count - 1
        while index >= start {
            buffer[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
            index -= 1
        }
    }
}

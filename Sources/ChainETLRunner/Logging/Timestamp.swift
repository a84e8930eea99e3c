import ChainETLCore
import Foundation

/// UTC timestamps as text, without Foundation formatters (so any thread may call it).
enum Timestamp {
    /// `2026-11-20T03:00:00.123Z`.
    static func iso8601(_ date: Date) -> String {
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = milliseconds.floorDivided(by: 1000)
        let day = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - day * 86_400
        let (year, month, dayOfMonth) = PartitionDay(daysSinceEpoch: day).components
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(dayOfMonth, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(milliseconds - seconds * 1000, 3))Z"
    }

    /// `20261120T030000Z`: sortable and safe in file names (run ids).
    static func compact(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - day * 86_400
        let (year, month, dayOfMonth) = PartitionDay(daysSinceEpoch: day).components
        return "\(pad(year, 4))\(pad(month, 2))\(pad(dayOfMonth, 2))T\(pad(secondOfDay / 3600, 2))"
            + "\(pad(secondOfDay % 3600 / 60, 2))\(pad(secondOfDay % 60, 2))Z"
    }

    /// `03:00:00`: the time of day, for text logs.
    static func timeOfDay(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let secondOfDay = seconds - seconds.floorDivided(by: 86_400) * 86_400
        return "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2))"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

extension Int {
    fileprivate func floorDivided(by divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

/// Per-key admission: a sliding one-second window plus a per-UTC-day quota.
///
/// Only admitted calls occupy the window, so a client that backs off is served again as soon
/// as its own earlier calls age out. Pure: the caller passes the time in.
struct RateLimiter: Sendable {
    enum Verdict: Equatable, Sendable {
        case admitted
        case perSecondExceeded(limit: Int)
        case dailyExceeded(limit: Int)
    }

    let perSecond: Int?
    let perDay: Int?
    private var recent: [String: [UInt64]] = [:]
    private var daily: [String: (day: Int, count: Int)] = [:]

    init(perSecond: Int?, perDay: Int?) {
        self.perSecond = perSecond
        self.perDay = perDay
    }

    /// `nanoseconds` is a monotonic time; `unixDay` the UTC day for the daily quota.
    mutating func admit(key: String, nanoseconds: UInt64, unixDay: Int) -> Verdict {
        if let perDay {
            let entry = daily[key]
            if let entry, entry.day == unixDay, entry.count >= perDay { return .dailyExceeded(limit: perDay) }
        }
        if let perSecond {
            var window = recent[key] ?? []
            let horizon = nanoseconds >= 1_000_000_000 ? nanoseconds - 1_000_000_000 : 0
            window.removeAll { $0 <= horizon }
            guard window.count < perSecond else {
                recent[key] = window
                return .perSecondExceeded(limit: perSecond)
            }
            window.append(nanoseconds)
            recent[key] = window
        }
        if perDay != nil {
            let entry = daily[key]
            daily[key] = (unixDay, entry?.day == unixDay ? entry!.count + 1 : 1)
        }
        return .admitted
    }
}

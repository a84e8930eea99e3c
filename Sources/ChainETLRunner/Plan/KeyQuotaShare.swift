import ChainETLCore
import Foundation

/// One API key's share of its daily quota over a planned run: every chain using the key counts.
struct KeyQuotaShare: Sendable, Equatable {
    /// `key-…` (FNV-1a of the key), `keyless`, or `unset:<VAR>` when the variable is not set.
    var fingerprint: String
    /// The `api_key_env` variables naming this key (never the key).
    var variables: [String]
    var chains: [String]
    /// The smallest `per_day` among the chains, nil when none sets one.
    var perDay: Int?
    /// The smallest `per_second` among the chains (the shared bucket runs at the lowest rate).
    var perSecond: Double
    var plannedCalls: Int
    /// Calls already counted today in `etl_api_quota`, when the database could tell.
    var usedToday: Int?

    /// How long the planned calls take at 95 % of `per_second` (the token bucket's pace).
    var seconds: Double { Double(plannedCalls) / (perSecond * 0.95) }

    /// `key-… (ETHERSCAN_API_KEY; chains ethereum, cronos): ~45 calls = 0.05 % of per_day 100000; …`.
    func line(today: PartitionDay, usedTodayNote: String?) -> String {
        var text = "\(fingerprint)"
        let names = variables.isEmpty ? "no api key" : variables.joined(separator: ", ")
        text += " (\(names); chains \(chains.joined(separator: ", "))): ~\(plannedCalls) calls"
        if let perDay {
            text += " = \(Self.percent(plannedCalls, of: perDay)) of per_day \(perDay)"
            if let usedToday {
                let left = max(0, perDay - usedToday)
                text += "; used today (\(today)) \(usedToday), \(left) left"
                if plannedCalls > left {
                    let days = Int((Double(plannedCalls) / Double(perDay)).rounded(.up))
                    text +=
                        "; WARNING: more than today's quota left, the run would stop with 'daily api quota "
                        + "exhausted'; spread the backfill over \(max(days, 2)) days"
                }
            } else if let usedTodayNote {
                text += "; used today: \(usedTodayNote)"
            }
        } else {
            text += "; no per_day limit configured"
        }
        text += "; ~\(Self.duration(seconds)) at \(Self.rate(perSecond * 0.95)) calls/s"
        return text
    }

    static func percent(_ part: Int, of whole: Int) -> String {
        let value = Double(part) / Double(max(1, whole)) * 100
        return String(format: value < 10 ? "%.2f %%" : "%.1f %%", value)
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        if whole < 120 { return "\(whole) s" }
        if whole < 7_200 { return "\(Int((Double(whole) / 60).rounded())) min" }
        return String(format: "%.1f h", Double(whole) / 3_600)
    }

    static func rate(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))" : String(format: "%.2f", value)
    }
}

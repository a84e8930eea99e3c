import Foundation

/// Classifies the error texts explorers put in `message` and/or `result`.
///
/// Matching is on lowercase substrings, in an order that keeps the specific texts ahead of the
/// general ones (e.g. "Free API access is not supported" before "temporarily unavailable").
enum ExplorerErrorText {
    /// What a status-"0" text means.
    enum Meaning: Equatable {
        /// "No transactions found" and friends: success with zero rows.
        case noData
        /// A failure of the given kind.
        case failure(ExplorerError)
    }

    private static let noDataTexts = [
        "no transactions found", "no records found", "no token transfers found", "no logs found",
        "no data found", "no internal transactions found",
    ]

    /// The meaning of `message` and `result` taken together.
    static func classify(message: String?, result: String?, request: RedactedURL, secret: String?) -> Meaning {
        let parts = [message, result].compactMap { $0?.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        let informative = parts.filter { !["notok", "ok", "error"].contains($0.lowercased()) }
        let shown = RedactedURL.scrub((informative.isEmpty ? parts : informative).joined(separator: ": "), secret: secret)
        let text = shown.lowercased()

        func has(_ needles: String...) -> Bool { needles.contains { text.contains($0) } }

        if has("invalid api key", "invalid api-key", "missing api key", "invalid apikey") {
            return .failure(.invalidAPIKey(shown, request: request))
        }
        if has("not supported for this chain", "upgrade your api plan") {
            return .failure(.chainNotOnPlan(shown, request: request))
        }
        if has("rate limit", "too many requests", "max calls per sec") {
            return .failure(.rateLimited(shown, request: request))
        }
        if has("query timeout") {
            return .failure(.queryTimeout(shown, request: request))
        }
        if has("result window is too large", "pageno x offset") {
            return .failure(.resultWindowTooLarge(shown, request: request))
        }
        if has("temporarily unavailable", "server too busy", "timeout occurred", "try again later") {
            return .failure(.temporarilyUnavailable(shown, request: request))
        }
        if has(
            "invalid action", "invalid address", "unsupported chainid", "invalid parameter", "is required",
            "deprecated v1 endpoint", "invalid module", "error! ")
        {
            return .failure(.invalidRequest(shown, request: request))
        }
        if noDataTexts.contains(where: { text.contains($0) }) || informative.isEmpty && !parts.isEmpty
            && parts.allSatisfy({ $0.lowercased() == "ok" })
        {
            return .noData
        }
        if shown.isEmpty {
            return .failure(.explorerRejected("status 0 without a message", request: request))
        }
        return .failure(.explorerRejected(shown, request: request))
    }
}

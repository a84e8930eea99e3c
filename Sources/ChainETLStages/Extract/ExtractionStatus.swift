/// Where a day's extraction stands, across all its chains and targets (for progress bars).
struct ExtractionStatus: Sendable, Equatable {
    /// Blocks walked so far, counted once per target.
    var blocksDone = 0
    /// Blocks to walk: each chain's block range times its number of targets.
    var blocksTotal = 0
    /// Pages answered.
    var windows = 0
    /// Rows written.
    var rows = 0
    /// HTTP calls sent, retries and day resolution included.
    var calls = 0
    /// The chain being extracted.
    var chain: String?
    /// Calls left today on the current chain's key, when it has `per_day`.
    var quotaLeft: Int?

    /// Figures shown beside the bar.
    var notes: [String: String] {
        var notes = ["pages": "\(windows)", "rows": "\(rows)", "calls": "\(calls)"]
        if let chain { notes["chain"] = chain }
        if let quotaLeft { notes["quota.left"] = "\(quotaLeft)" }
        return notes
    }
}

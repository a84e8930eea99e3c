import ChainETLCore

/// What a stage's `run(_:)` returns: the row accounting and a few notes for the manifest and report.
public struct StageOutcome: Sendable {
    public var counts: RowCounts
    /// Free-form notes (e.g. `pages`, `quarantine.file`), copied into the manifest and the run report.
    public var details: [String: String]

    public init(counts: RowCounts, details: [String: String] = [:]) {
        self.counts = counts
        self.details = details
    }
}

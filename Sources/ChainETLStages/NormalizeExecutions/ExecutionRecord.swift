/// One execution ready for the `executions` table, with the file row it came from.
struct ExecutionRecord: Equatable, Sendable {
    var executionID: String
    var venue: String
    var account: String
    var executedAt: EventTimestamp
    /// Lowercased, so `status = ANY($4)` matches exactly.
    var status: String
    var symbol: String?
    var side: String?
    /// Exact decimal text, or nil when the event carries none.
    var filledSize: String?
    var fillPrice: String?
    var isTest: Bool
    var file: String
    var line: Int
}

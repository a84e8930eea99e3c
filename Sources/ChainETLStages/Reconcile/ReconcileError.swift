import ChainETLCore

/// Failures of a `reconcile` stage.
enum ReconcileError: Error, CustomStringConvertible {
    /// The second source's checkpoint is not raw explorer rows.
    case notRawRows(stage: String, recordSchema: RecordSchema)
    /// A sum passed 384 bits (not possible with real data).
    case sumOverflow(token: String)
    /// The store's figures could not be read.
    case storeUnreadable(stage: String, underlying: any Error)
    /// A figure from the store is not an integer.
    case storeValue(column: String, value: String)

    var description: String {
        switch self {
        case .notRawRows(let stage, let recordSchema):
            return "reconcile compares against raw explorer rows, but \(stage) holds \(recordSchema); "
                + "set against: to an extract stage"
        case .sumOverflow(let token):
            return "the value sum of token \(token) passed 384 bits; the second source's values are corrupt"
        case .storeUnreadable(let stage, let underlying):
            return "reconcile stage \(stage) could not read the transfers table: \(underlying); "
                + "check that the migrations ran and the database is reachable"
        case .storeValue(let column, let value):
            return "the transfers table returned \(column) = '\(value)', not an integer"
        }
    }
}

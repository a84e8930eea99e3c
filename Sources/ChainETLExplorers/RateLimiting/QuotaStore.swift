import ChainETLCore

/// A persistent daily call counter per API key, shared by separate runs (Postgres in production).
public protocol QuotaStore: Sendable {
    /// Adds `calls` to the key's counter for `day` and returns the new total and the stored limit.
    func consume(fingerprint: String, day: PartitionDay, calls: Int) throws -> (used: Int, limit: Int?)
}

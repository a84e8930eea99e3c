import ChainETLCore
import ChainETLExplorers
import ChainETLPostgres
import Foundation

/// A `QuotaStore` over `etl_api_quota`, for the explorer calls `status` makes itself.
///
/// `@unchecked Sendable`: the connection is used under `lock` only, one statement at a time.
final class LedgerQuotaStore: QuotaStore, @unchecked Sendable {
    private let lock = NSLock()
    private let connection: PostgresConnection

    init(connection: PostgresConnection) {
        self.connection = connection
    }

    func consume(fingerprint: String, day: PartitionDay, calls: Int) throws -> (used: Int, limit: Int?) {
        lock.lock()
        defer { lock.unlock() }
        let rows = try connection.execute(
            SQLQuery(
                """
                INSERT INTO etl_api_quota (key_fingerprint, day, calls) VALUES ($1, $2::date, $3)
                ON CONFLICT (key_fingerprint, day) DO UPDATE SET calls = etl_api_quota.calls + EXCLUDED.calls
                RETURNING calls
                """, [fingerprint, day.description, calls]))
        return (try rows.int(row: 0, column: 0) ?? calls, nil)
    }
}

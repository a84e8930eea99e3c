import ChainETLCore
import ChainETLExplorers
import ChainETLPostgres
import Foundation
import Logging

/// The daily API quota counter in `etl_api_quota` (schemas/0001_ledger.sql), shared by every run
/// that uses the same database: the one store for it (runs, `plan`, and `status`'s own calls).
///
/// One `KeyBudgetConnection` of its own (or `status`'s, borrowed). Each call is one autocommitted
/// upsert, so a run killed at any moment has counted every call it sent (at most one call too
/// many, never one too few). The limit comes from the chain's `per_day`, so `consume` returns no
/// limit of its own.
public final class PostgresQuotaStore: QuotaStore, Sendable {
    private let connection: KeyBudgetConnection

    static let consumeSQL = """
        INSERT INTO etl_api_quota (key_fingerprint, day, calls) VALUES ($1, $2::date, $3::bigint)
        ON CONFLICT (key_fingerprint, day) DO UPDATE SET calls = etl_api_quota.calls + EXCLUDED.calls
        RETURNING calls
        """
    static let usedSQL = "SELECT calls FROM etl_api_quota WHERE key_fingerprint = $1 AND day = $2::date"

    /// A store on its own connection to `databaseURL` (else `DATABASE_URL`, else `PG*`), opened on first use.
    public convenience init(databaseURL: String?, logger: Logger) {
        self.init {
            try PostgresConnection.connect(url: databaseURL, applicationName: "chainetl api quota", logger: logger)
        }
    }

    /// A store whose connection comes from `connect` (called on first use, and again after the
    /// connection was lost).
    public init(connect: @escaping () throws -> PostgresConnection) {
        self.connection = KeyBudgetConnection(connect: connect)
    }

    /// A store on a connection the caller owns and closes (`status` counts its head calls on its
    /// own connection); a lost connection is not reopened.
    public init(borrowing connection: PostgresConnection) {
        self.connection = KeyBudgetConnection(borrowing: connection)
    }

    public func consume(fingerprint: String, day: PartitionDay, calls: Int) throws -> (used: Int, limit: Int?) {
        let rows = try connection.execute(SQLQuery(Self.consumeSQL, [fingerprint, day.description, calls]))
        guard rows.count == 1, let used = try rows.int(row: 0, column: 0) else {
            throw PostgresError.unexpectedResult(statement: Self.consumeSQL, message: "the upsert returned no count")
        }
        return (used, nil)
    }

    /// Calls counted for `fingerprint` on `day` (0 when none); for `chainetl plan`.
    public func used(fingerprint: String, day: PartitionDay) throws -> Int {
        let rows = try connection.execute(SQLQuery(Self.usedSQL, [fingerprint, day.description]))
        guard rows.count == 1 else { return 0 }
        return try rows.int(row: 0, column: 0) ?? 0
    }

    /// Closes the connection; the next call opens a new one (a borrowed one is left to its owner).
    public func close() {
        connection.close()
    }
}

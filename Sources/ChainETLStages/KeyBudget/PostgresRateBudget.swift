import ChainETLCore
import ChainETLExplorers
import ChainETLPostgres
import Foundation
import Logging

/// Each API key's per-second budget in `etl_rate_budget` (schemas/0012_rate_budget.sql), shared by
/// every runner on the database: one row per key fingerprint (never the key) holding the key's
/// next free send slot on the database's clock.
///
/// A lease is one autocommitted statement (a short transaction holding the row lock for one
/// update): it moves the key's next slot past `count` slots, starting no earlier than the
/// database's clock plus `lead`, and returns the first slot and the clock. Two runners therefore
/// never get the same slot, and the slots of all runners are at least one interval apart. A
/// release moves the next slot back, only while no one leased after it.
///
/// One `KeyBudgetConnection` of its own, as `PostgresQuotaStore` beside it.
public final class PostgresRateBudget: SharedRateBudget, Sendable {
    private let connection: KeyBudgetConnection

    /// $1 fingerprint, $2 lead µs, $3 count, $4 interval µs. Times are µs since the Unix epoch.
    static let leaseSQL = """
        INSERT INTO etl_rate_budget AS b (key_fingerprint, next_slot_us)
        VALUES ($1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint + $2::bigint + $3::bigint * $4::bigint)
        ON CONFLICT (key_fingerprint) DO UPDATE
        SET next_slot_us = greatest(b.next_slot_us, EXCLUDED.next_slot_us - $3::bigint * $4::bigint)
                + $3::bigint * $4::bigint,
            updated_at = now()
        RETURNING next_slot_us - $3::bigint * $4::bigint, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint
        """
    static let clockSQL = "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint"
    /// $1 fingerprint, $2 the first unused slot µs, $3 the lease's end µs.
    static let releaseSQL = """
        UPDATE etl_rate_budget SET next_slot_us = $2::bigint, updated_at = now()
        WHERE key_fingerprint = $1 AND next_slot_us = $3::bigint
        """

    /// A budget on its own connection to `databaseURL` (else `DATABASE_URL`, else `PG*`), opened on first use.
    public convenience init(databaseURL: String?, logger: Logger) {
        self.init {
            try PostgresConnection.connect(url: databaseURL, applicationName: "chainetl rate budget", logger: logger)
        }
    }

    /// A budget whose connection comes from `connect` (on first use, and again after a loss).
    public init(connect: @escaping () throws -> PostgresConnection) {
        self.connection = KeyBudgetConnection(connect: connect)
    }

    public func lease(fingerprint: String, count: Int, interval: TimeInterval, lead: TimeInterval) throws
        -> RateBudgetLease
    {
        let intervalMicroseconds = max(1, Int((interval * 1_000_000).rounded(.up)))
        let rows = try execute(
            SQLQuery(
                Self.leaseSQL,
                [fingerprint, max(0, Int((lead * 1_000_000).rounded())), max(1, count), intervalMicroseconds]))
        guard rows.count == 1, let first = try rows.int(row: 0, column: 0), let now = try rows.int(row: 0, column: 1)
        else {
            throw PostgresError.unexpectedResult(statement: Self.leaseSQL, message: "the lease returned no slot")
        }
        return RateBudgetLease(
            firstSlot: Double(first) / 1_000_000, interval: Double(intervalMicroseconds) / 1_000_000,
            count: max(1, count), budgetNow: Double(now) / 1_000_000)
    }

    public func now() throws -> TimeInterval {
        let rows = try execute(SQLQuery(Self.clockSQL))
        guard rows.count == 1, let now = try rows.int(row: 0, column: 0) else {
            throw PostgresError.unexpectedResult(statement: Self.clockSQL, message: "no clock")
        }
        return Double(now) / 1_000_000
    }

    public func release(fingerprint: String, lease: RateBudgetLease, firstUnused: Int) throws -> Bool {
        guard firstUnused < lease.count else { return false }
        let rows = try execute(
            SQLQuery(
                Self.releaseSQL,
                [fingerprint, Self.microseconds(lease.slot(firstUnused)), Self.microseconds(lease.end)]))
        return rows.affectedRows == 1
    }

    static func microseconds(_ seconds: TimeInterval) -> Int {
        Int((seconds * 1_000_000).rounded())
    }

    /// Closes the connection; the next call opens a new one.
    public func close() {
        connection.close()
    }

    private func execute(_ query: SQLQuery) throws -> PostgresRows {
        try connection.execute(query)
    }
}

import ChainETLCore
import ChainETLPostgres

/// Writes `etl_refetch` marks (schemas/0006_reconcile.sql): one open row per mismatched
/// (pipeline, partition, chain, token). Marking an already open pair refreshes its reason, time
/// and run, so the runner knows the mark is still wanted after a reload.
enum RefetchLedger {
    struct Mark: Sendable, Equatable {
        var chainID: Int
        var token: String
        var reason: String
    }

    /// Inserts or refreshes `marks` in one transaction.
    static func mark(
        _ marks: [Mark], pipeline: String, partition: PartitionDay, runID: String, on database: PostgresConnection
    ) throws {
        guard !marks.isEmpty else { return }
        try database.transaction {
            for mark in marks {
                try database.execute(
                    SQLQuery(
                        """
                        INSERT INTO etl_refetch (pipeline, partition, chain_id, token_address, reason, marked_by_run)
                        VALUES ($1, $2::date, $3, $4, $5, $6)
                        ON CONFLICT (pipeline, partition, chain_id, token_address) WHERE cleared_at IS NULL
                        DO UPDATE SET reason = EXCLUDED.reason, marked_at = now(), marked_by_run = EXCLUDED.marked_by_run
                        """,
                        [pipeline, partition.description, mark.chainID, mark.token, mark.reason, runID]))
            }
        }
    }
}

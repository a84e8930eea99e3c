import ChainETLCore
import ChainETLPostgres

/// Writes `etl_refetch` marks (schemas/0006_reconcile.sql): one open row per mismatched
/// (pipeline, partition, chain, token). Marking an already open pair refreshes its reason, time
/// and run, so the runner knows the mark is still wanted after a reload; a pair that agrees
/// again has its open mark cleared.
enum RefetchLedger {
    struct Mark: Sendable, Equatable {
        var chainID: Int
        var token: String
        var reason: String
    }

    /// Inserts or refreshes `marks`, and clears the open marks of pairs this comparison covered
    /// that now agree (`chains`, and `tokens` unless empty), in one transaction.
    ///
    /// - Parameter marking: false when refetch is off: nothing is marked, but agreeing pairs are
    ///   still cleared, since their marks are no longer justified. Returns how many were cleared.
    @discardableResult
    static func update(
        _ marks: [Mark], marking: Bool, chains: Set<Int>, tokens: Set<String>, pipeline: String,
        partition: PartitionDay, runID: String, on database: PostgresConnection
    ) throws -> Int {
        try database.transaction {
            if marking {
                try mark(marks, pipeline: pipeline, partition: partition, runID: runID, on: database)
            }
            let cleared = try database.execute(
                SQLQuery(
                    """
                    UPDATE etl_refetch SET cleared_at = now(), cleared_by_run = $3
                    WHERE pipeline = $1 AND partition = $2::date AND cleared_at IS NULL
                      AND chain_id = ANY($4::bigint[])
                      AND (cardinality($5::text[]) = 0 OR token_address = ANY($5::text[]))
                      AND NOT ((chain_id::text || ':' || token_address) = ANY($6::text[]))
                    """,
                    [
                        pipeline, partition.description, runID, PostgresTextArray(chains.sorted().map(String.init)),
                        PostgresTextArray(tokens.sorted()),
                        PostgresTextArray(marks.map { "\($0.chainID):\($0.token)" }),
                    ]))
            return cleared.affectedRows ?? 0
        }
    }

    /// Inserts or refreshes one open mark per entry of `marks` (the caller holds the transaction).
    /// Also used by the extract stages' reorg check.
    static func mark(
        _ marks: [Mark], pipeline: String, partition: PartitionDay, runID: String, on database: PostgresConnection
    ) throws {
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

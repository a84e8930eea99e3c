import ChainETLCore
import ChainETLPostgres

/// Reads and writes `etl_loads`, the ledger of what each database-writing stage last applied to
/// a partition.
///
/// Load stages (`load` of transfers, `normalize/executions`, `load/address-book`, `load/prices`)
/// record a row in the transaction that changes their tables. The `aggregate` stage records its own marker (source
/// `aggregate`, `manifest_hash` = its config hash) in its transaction, and counts as up to date
/// only while that marker is newer than every other load of the partition.
enum LoadLedger {
    /// The `source` of aggregate markers; loads never use it.
    static let aggregateSource = "aggregate"

    /// What one stage applied to one partition.
    struct Entry: Sendable {
        var pipeline: String
        var partition: PartitionDay
        var stage: String
        var source: String
        var manifestHash: String
        var rowsInserted: Int
        var rowsPresent: Int
        var rowsRemoved: Int
        /// Rows of the load's scope the table holds after it (the transfer load's); nil leaves
        /// `rows_held` as it was (0 for a new row).
        var rowsHeld: Int? = nil
    }

    /// Upserts `entry` inside the stage's transaction. `loaded_at` becomes `now()`, unless the
    /// stage reports `changed: false` and already has a row (so an idempotent reload of
    /// unchanged data does not make aggregates run again).
    static func record(_ entry: Entry, changed: Bool = true, on connection: PostgresConnection) throws {
        try connection.execute(
            SQLQuery(
                """
                INSERT INTO etl_loads
                    (pipeline, partition, stage, source, manifest_hash, rows_inserted, rows_present, rows_removed,
                     rows_held, loaded_at)
                VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, coalesce($10::bigint, 0), now())
                ON CONFLICT (pipeline, partition, stage) DO UPDATE
                SET source = EXCLUDED.source, manifest_hash = EXCLUDED.manifest_hash,
                    rows_inserted = EXCLUDED.rows_inserted, rows_present = EXCLUDED.rows_present,
                    rows_removed = EXCLUDED.rows_removed,
                    rows_held = coalesce($10::bigint, etl_loads.rows_held),
                    loaded_at = CASE WHEN $9 THEN EXCLUDED.loaded_at ELSE etl_loads.loaded_at END
                """,
                [
                    entry.pipeline, entry.partition.description, entry.stage, entry.source, entry.manifestHash,
                    entry.rowsInserted, entry.rowsPresent, entry.rowsRemoved, changed, entry.rowsHeld,
                ]))
    }

    /// What `stage` last recorded for the partition, or nil.
    static func entry(
        pipeline: String, partition: PartitionDay, stage: String, on connection: PostgresConnection
    ) throws -> Entry? {
        let rows = try connection.execute(
            SQLQuery(
                """
                SELECT source, manifest_hash, rows_inserted, rows_present, rows_removed, rows_held FROM etl_loads
                WHERE pipeline = $1 AND partition = $2::date AND stage = $3
                """, [pipeline, partition.description, stage]))
        guard rows.count == 1 else { return nil }
        return Entry(
            pipeline: pipeline, partition: partition, stage: stage, source: rows.value(row: 0, column: 0) ?? "",
            manifestHash: rows.value(row: 0, column: 1) ?? "", rowsInserted: try rows.int(row: 0, column: 2) ?? 0,
            rowsPresent: try rows.int(row: 0, column: 3) ?? 0, rowsRemoved: try rows.int(row: 0, column: 4) ?? 0,
            rowsHeld: try rows.int(row: 0, column: 5))
    }

    /// Whether `stage` recorded `manifestHash` for the partition at or after every other stage's
    /// load of it (aggregate markers of other stages do not count as loads).
    static func isCurrent(
        pipeline: String, partition: PartitionDay, stage: String, manifestHash: String,
        on connection: PostgresConnection
    ) throws -> Bool {
        let rows = try connection.execute(
            SQLQuery(
                """
                SELECT EXISTS (
                    SELECT 1 FROM etl_loads mine
                    WHERE mine.pipeline = $1 AND mine.partition = $2::date AND mine.stage = $3
                      AND mine.manifest_hash = $4
                      AND mine.loaded_at >= coalesce((
                          SELECT max(other.loaded_at) FROM etl_loads other
                          WHERE other.pipeline = $1 AND other.partition = $2::date AND other.stage <> $3
                            AND other.source <> $5), '-infinity'::timestamptz))
                """,
                [pipeline, partition.description, stage, manifestHash, aggregateSource]))
        return rows.bool(row: 0, column: 0) == true
    }

    /// Whether `stage` recorded exactly `manifestHash` for the partition (a load's own check).
    static func hasRecorded(
        pipeline: String, partition: PartitionDay, stage: String, manifestHash: String,
        on connection: PostgresConnection
    ) throws -> Bool {
        let rows = try connection.execute(
            SQLQuery(
                """
                SELECT EXISTS (SELECT 1 FROM etl_loads
                               WHERE pipeline = $1 AND partition = $2::date AND stage = $3 AND manifest_hash = $4)
                """, [pipeline, partition.description, stage, manifestHash]))
        return rows.bool(row: 0, column: 0) == true
    }
}

import ChainETLCore
import ChainETLPostgres
import Logging

/// Drops the month partitions of `transfers` that end on or before a cutoff day.
///
/// Only raw transfers go: the daily tables and summaries are never touched, and the dropped
/// months are recorded in `transfers_pruned_months` (by `chainetl_drop_transfer_partitions_before`)
/// so aggregates refuse to rebuild a day whose rows are gone.
struct TransferPartitionPruner {
    let connection: PostgresConnection
    let logger: Logger

    /// The first day kept: `partition - retentionDays`. Months ending on or before it are dropped.
    static func cutoff(partition: PartitionDay, retentionDays: Int) -> PartitionDay {
        partition.advanced(by: -retentionDays)
    }

    /// Drops every month partition ending on or before `cutoff`, in one transaction; returns their
    /// names, oldest first.
    func prune(before cutoff: PartitionDay) throws -> [String] {
        let dropped = try connection.transaction {
            try connection.execute(
                SQLQuery("SELECT chainetl_drop_transfer_partitions_before($1::date)", [cutoff.description]))
        }
        let names = (0..<dropped.count).compactMap { dropped.value(row: $0, column: 0) }
        logger.info(
            "transfers months pruned",
            metadata: [
                "prune.cutoff": "\(cutoff)", "partitions.count": "\(names.count)",
                "partitions.dropped": "\(names.joined(separator: ","))",
            ])
        return names
    }

    /// The month partitions `prune(before:)` would drop, oldest first.
    func pending(before cutoff: PartitionDay) throws -> [String] {
        let rows = try connection.execute(
            SQLQuery(
                """
                SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'transfers'::regclass AND c.relname ~ '^transfers_y[0-9]{4}m[0-9]{2}$'
                  AND (to_date(substr(c.relname, 12), 'YYYY"m"MM') + interval '1 month')::date <= $1::date
                ORDER BY c.relname
                """, [cutoff.description]))
        return (0..<rows.count).compactMap { rows.value(row: $0, column: 0) }
    }
}

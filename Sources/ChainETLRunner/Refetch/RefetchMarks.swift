import ChainETLCore
import ChainETLPostgres
import ChainETLStages
import Foundation

/// The runner's side of `etl_refetch` (schemas/0006_reconcile.sql): partitions marked by a
/// reconcile stage or by an extract stage's reorg check have their extract stages (record schema `raw-explorer-row/1`) rerun, and the
/// marks are cleared once a run reloaded the partition successfully.
enum RefetchMarks {
    /// The skip reason shown for an extract stage that runs because of a mark.
    static let reason = "marked for refetch by reconcile or a reorg check (etl_refetch)"

    /// Whether `stage` must run for `partition` although its checkpoint is up to date.
    static func forcesRerun(of stage: any Stage, partition: PartitionDay, marked: Set<PartitionDay>) -> Bool {
        marked.contains(partition) && stage.recordSchema == .rawExplorerRow
    }

    /// The open marks of `pipeline` for `days`: mark ids per partition.
    static func open(pipeline: String, days: [PartitionDay], on connection: PostgresConnection) throws
        -> [PartitionDay: [Int]]
    {
        let rows = try connection.execute(
            SQLQuery(
                """
                SELECT id, partition::text FROM etl_refetch
                WHERE pipeline = $1 AND partition = ANY($2::date[]) AND cleared_at IS NULL
                ORDER BY id
                """, [pipeline, PostgresTextArray(days.map(\.description))]))
        return try grouped(rows)
    }

    /// The most marked days a scheduled run adds to yesterday; older marks stay open (and are
    /// logged) until a run covers them.
    static let scheduledRunLimit = 31

    /// The open marks a scheduled run (no `--partition`, no `--from/--to`) serves: those of
    /// `pipeline` on closed days (before `today`), for the `limit` most recent marked days. Also
    /// returns the older marked days left out, oldest first.
    static func openForScheduledRun(
        pipeline: String, today: PartitionDay, limit: Int = scheduledRunLimit, on connection: PostgresConnection
    ) throws -> (marks: [PartitionDay: [Int]], leftOut: [PartitionDay]) {
        let rows = try connection.execute(
            SQLQuery(
                """
                SELECT id, partition::text FROM etl_refetch
                WHERE pipeline = $1 AND partition < $2::date AND cleared_at IS NULL
                ORDER BY id
                """, [pipeline, today.description]))
        var marks = try grouped(rows)
        let days = marks.keys.sorted(by: >)
        let leftOut = Array(days.dropFirst(limit).reversed())
        for day in leftOut { marks[day] = nil }
        return (marks, leftOut)
    }

    /// Mark ids per partition, from rows of `id, partition::text`.
    private static func grouped(_ rows: PostgresRows) throws -> [PartitionDay: [Int]] {
        var marks: [PartitionDay: [Int]] = [:]
        for row in 0..<rows.count {
            guard let id = try rows.int(row: row, column: 0), let text = rows.value(row: row, column: 1),
                let day = PartitionDay(text)
            else { continue }
            marks[day, default: []].append(id)
        }
        return marks
    }

    /// Whether this run reloaded `partition`: it ran at least one extract stage there, every
    /// extract stage of it succeeded (ran), and no unit of it failed, was blocked or locked.
    static func reloaded(_ partition: PartitionDay, units: [UnitReport], stages: [String: any Stage]) -> Bool {
        let ofPartition = units.filter { $0.partition == partition }
        guard ofPartition.allSatisfy({ $0.status == .succeeded || $0.status == .skipped }) else { return false }
        let extracts = ofPartition.filter { stages[$0.stage]?.recordSchema == .rawExplorerRow }
        return !extracts.isEmpty && extracts.allSatisfy { $0.status == .succeeded }
    }

    /// Clears the marks `ids`, except those this very run (re)marked: a reconcile that still
    /// disagrees after the reload keeps its mark for the next run. `includingThisRun` clears this
    /// run's marks too: a reorg mark read after the marking unit finished, and served by a
    /// follow-up pass of the same run. Returns how many were cleared.
    @discardableResult
    static func clear(ids: [Int], runID: String, includingThisRun: Bool = false, on connection: PostgresConnection)
        throws -> Int
    {
        guard !ids.isEmpty else { return 0 }
        let rows = try connection.execute(
            SQLQuery(
                """
                UPDATE etl_refetch SET cleared_at = now(), cleared_by_run = $2
                WHERE id = ANY($1::bigint[]) AND cleared_at IS NULL
                  AND ($3::boolean OR marked_by_run IS DISTINCT FROM $2)
                """, [PostgresTextArray(ids.map(String.init)), runID, includingThisRun]))
        return rows.affectedRows ?? 0
    }

    /// The reason prefix of the marks an extract stage's reorg check writes (`ReorgCheck`).
    static let reorgReasonPrefix = "reorg:"

    /// The reason shown for a unit of a later partition rerun because an earlier one was reloaded.
    static func historyRerunReason(reloaded: [PartitionDay]) -> String {
        "rerun: \(reloaded.map(\.description).joined(separator: ", ")) reloaded after a reorg in this run"
    }

    /// The open reorg marks `runID` wrote on closed days (before `today`): mark ids per partition.
    /// The run serves them itself, in a follow-up pass (docs/runner.md, "Reorgs").
    static func openReorgMarks(pipeline: String, runID: String, today: PartitionDay, on connection: PostgresConnection)
        throws -> [PartitionDay: [Int]]
    {
        let rows = try connection.execute(
            SQLQuery(
                """
                SELECT id, partition::text FROM etl_refetch
                WHERE pipeline = $1 AND marked_by_run = $2 AND partition < $3::date AND cleared_at IS NULL
                  AND starts_with(reason, $4)
                ORDER BY id
                """, [pipeline, runID, today.description, reorgReasonPrefix]))
        return try grouped(rows)
    }
}

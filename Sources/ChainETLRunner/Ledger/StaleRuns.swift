import ChainETLPostgres
import Foundation
import Logging

/// Finds runs left `running` in `etl_runs` by a process that is gone, and marks them and their
/// `running` units `interrupted`, so `status` tells the truth and `--select failed` reruns them.
///
/// A run's process is gone when its `RunLock` is free: every run holds it on its ledger session
/// for its whole life, so the lock vanishes when the process dies or loses its database session.
/// `chainetl run` and `chainetl status` call this after connecting.
enum StaleRuns {
    /// What the units of a dead run are told.
    static let unitError =
        "the run's process ended (killed, crashed or cut off from the database) before this stage finished"

    /// Marks every dead `running` run and its `running` units `interrupted`; returns their ids.
    @discardableResult
    static func markInterrupted(on connection: PostgresConnection, logger: Logger) throws -> [String] {
        let rows = try connection.execute(
            SQLQuery("SELECT id FROM etl_runs WHERE status = $1 ORDER BY started_at", ["running"]))
        var marked: [String] = []
        for row in 0..<rows.count {
            guard let runID = rows.value(row: row, column: 0), try !RunLock.isHeld(connection, runID: runID) else {
                continue
            }
            try connection.transaction {
                _ = try connection.execute(
                    SQLQuery(
                        """
                        UPDATE etl_stage_runs SET status = $2, finished_at = coalesce(finished_at, now()),
                          error = coalesce(error, $3)
                        WHERE run_id = $1 AND status = $4
                        """, [runID, "interrupted", unitError, "running"]))
                _ = try connection.execute(
                    SQLQuery(
                        "UPDATE etl_runs SET status = $2, finished_at = now() WHERE id = $1 AND status = $3",
                        [runID, "interrupted", "running"]))
            }
            marked.append(runID)
        }
        if !marked.isEmpty {
            logger.warning(
                "runs whose process is gone marked interrupted",
                metadata: ["runs": "\(marked.joined(separator: ","))", "runs.count": "\(marked.count)"])
        }
        return marked
    }
}

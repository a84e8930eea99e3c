import ChainETLCore
import ChainETLPostgres
import ChainETLStages
import Foundation
import Logging

/// The run ledger in Postgres (`etl_runs`, `etl_stage_runs`, `etl_events`), updated as the run goes.
///
/// Worker threads share one connection, one statement at a time under a lock, so the ledger never
/// competes with stages for connections and its rows appear in the order things happened.
final class RunLedger: @unchecked Sendable {
    private let lock = NSLock()
    private let connection: PostgresConnection
    private let runID: String
    private let pipeline: String
    private let logger: Logger

    init(connection: PostgresConnection, runID: String, pipeline: String, logger: Logger) {
        self.connection = connection
        self.runID = runID
        self.pipeline = pipeline
        self.logger = logger
    }

    /// Runs `body` with the ledger's connection, under the ledger's lock (for read-only report queries).
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(connection)
    }

    /// Whether a ledger write failed (the database went away): the ledger then misses rows, e.g.
    /// the units a failure blocked, so `--select failed` alone would not find them.
    var lostWrites: Bool {
        lock.lock()
        defer { lock.unlock() }
        return writeFailed
    }
    private var writeFailed = false

    /// Takes the run lock (`RunLock`) on the ledger connection, then inserts the `etl_runs` row
    /// with status `running`; the lock comes first so no one sees the row without it.
    func begin(partitions: [PartitionDay], arguments: [String]) throws {
        try withConnection { try RunLock.acquire($0, runID: runID) }
        let args = JSONLine.encode(["argv": arguments], leadingKeys: [])
        try execute(
            SQLQuery(
                """
                INSERT INTO etl_runs (id, pipeline, partitions, status, args, host, pid)
                VALUES ($1, $2, $3::text[], 'running', $4::jsonb, $5, $6)
                """,
                [
                    runID, pipeline, PostgresTextArray(partitions.map(\.description)), args,
                    ProcessInfo.processInfo.hostName, Int(ProcessInfo.processInfo.processIdentifier),
                ]))
    }

    /// Sets the run's final status and finish time.
    func finish(status: RunStatus) throws {
        try execute(
            SQLQuery(
                "UPDATE etl_runs SET status = $2, finished_at = now() WHERE id = $1", [runID, status.rawValue]))
    }

    /// Inserts a `running` row for a unit that is starting; returns its id.
    func unitStarted(_ unit: WorkUnit, at date: Date) throws -> Int {
        let rows = try execute(
            SQLQuery(
                """
                INSERT INTO etl_stage_runs (run_id, pipeline, partition, stage, status, started_at)
                VALUES ($1, $2, $3::date, $4, 'running', $5) RETURNING id
                """, [runID, pipeline, unit.partition.description, unit.stageID, date]))
        guard let id = try rows.int(row: 0, column: 0) else {
            throw RunnerError.database(
                action: "record stage \(unit.stageID) in etl_stage_runs", underlying: LedgerFailure.noID)
        }
        return id
    }

    /// Completes a unit's row (or inserts one for a unit that never started, e.g. blocked).
    func unitFinished(rowID: Int?, report: UnitReport) throws {
        let counts = report.counts ?? RowCounts()
        let values: [(any PostgresBindable)?] = [
            report.status.rawValue, counts.rowsIn, counts.rowsOut, counts.quarantined, counts.duplicates,
            counts.excluded,
            report.finishedAt ?? Date(), report.durationMS, report.error, report.checkpointHash,
        ]
        if let rowID {
            try execute(
                SQLQuery(
                    """
                    UPDATE etl_stage_runs SET status = $1, rows_in = $2, rows_out = $3, rows_quarantined = $4,
                      rows_duplicates = $5, rows_excluded = $6, finished_at = $7, duration_ms = $8, error = $9,
                      checkpoint_hash = $10
                    WHERE id = $11
                    """, values + [rowID]))
        } else {
            try execute(
                SQLQuery(
                    """
                    INSERT INTO etl_stage_runs (status, rows_in, rows_out, rows_quarantined, rows_duplicates,
                      rows_excluded, finished_at, duration_ms, error, checkpoint_hash,
                      run_id, pipeline, partition, stage, started_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::date, $14, $7)
                    """, values + [runID, pipeline, report.partition.description, report.stage]))
        }
    }

    /// Records a stage event; a failure here is logged, never fatal (the report keeps the event).
    func recordEvent(_ event: StageEvent, level: String = "notice") {
        let details = JSONLine.encode(event.details, leadingKeys: [])
        do {
            try execute(
                SQLQuery(
                    """
                    INSERT INTO etl_events (run_id, at, level, kind, stage, partition, message, details)
                    VALUES ($1, $2, $3, $4, $5, $6::date, $7, $8::jsonb)
                    """,
                    [
                        runID, event.at, level, event.kind, event.stageID.isEmpty ? nil : event.stageID,
                        event.partition.description, event.message,
                        details,
                    ]))
        } catch {
            logger.warning(
                "event not recorded in the ledger", metadata: ["event.kind": "\(event.kind)", "error": "\(error)"])
        }
    }

    /// The stages of `partition` whose latest unit failed, was blocked or was interrupted (for
    /// `--select failed`). Units of dead runs were marked `interrupted` by `StaleRuns` before.
    func failedStages(partition: PartitionDay) throws -> Set<String> {
        let rows = try execute(
            SQLQuery(
                """
                SELECT stage, status FROM (
                  SELECT DISTINCT ON (stage) stage, status FROM etl_stage_runs
                  WHERE pipeline = $1 AND partition = $2::date AND status <> 'running'
                  ORDER BY stage, started_at DESC, id DESC
                ) latest WHERE status IN ('failed', 'blocked', 'interrupted')
                """, [pipeline, partition.description]))
        return Set((0..<rows.count).compactMap { rows.value(row: $0, column: 0) })
    }

    @discardableResult
    private func execute(_ query: SQLQuery) throws -> PostgresRows {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try connection.execute(query)
        } catch {
            writeFailed = true
            throw error
        }
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        connection.close()
    }

    private enum LedgerFailure: Error, CustomStringConvertible {
        case noID
        var description: String { "insert returned no id" }
    }
}

import ChainETLCore
import ChainETLPostgres
import Foundation

/// The claims table `etl_claims`: one row per (pipeline, work, partition) of a `--claim` backfill,
/// claimed with `SELECT … FOR UPDATE SKIP LOCKED` and held as a lease renewed by a heartbeat
/// (docs/scaling.md "Work claiming"). Every statement is one short autocommit transaction.
enum WorkClaims {
    /// Who holds a claim: the host and pid of the runner, and a token unique to this claim.
    struct Holder: Sendable, Equatable {
        var host: String
        var pid: Int
        var token: String

        static func current(pid: Int32 = ProcessInfo.processInfo.processIdentifier) -> Holder {
            Holder(host: ProcessInfo.processInfo.hostName, pid: Int(pid), token: UUID().uuidString.lowercased())
        }
    }

    /// A partition this runner now holds.
    struct Claim: Sendable, Equatable {
        var partition: PartitionDay
        /// How many times the partition was claimed, this claim included.
        var attempt: Int
        /// The earlier holder (`host pid N`) when this claim took over an expired lease.
        var tookOverFrom: String?
    }

    /// One row, for `status`.
    struct Row: Sendable, Equatable {
        var pipeline: String
        var work: String
        var partition: String
        var state: String
        var attempts: Int
        var host: String?
        var pid: Int?
        /// Seconds since the last heartbeat, nil when never claimed.
        var heartbeatAgeSeconds: Double?
        var leaseSeconds: Double?
        var runID: String?
        var error: String?

        /// A `claimed` row whose lease ran out: its holder is gone and another runner may take it.
        var isExpired: Bool {
            guard state == "claimed", let age = heartbeatAgeSeconds, let lease = leaseSeconds else { return false }
            return age > lease
        }
    }

    /// Queues every day of `from...to` not queued yet; returns how many rows were added.
    @discardableResult
    static func enqueue(
        _ connection: PostgresConnection, pipeline: String, work: String, from: PartitionDay, to: PartitionDay
    ) throws -> Int {
        let rows = try connection.execute(
            SQLQuery(
                """
                INSERT INTO etl_claims (pipeline, work, partition)
                SELECT $1, $2, day::date FROM generate_series($3::date, $4::date, interval '1 day') AS day
                ON CONFLICT (pipeline, work, partition) DO NOTHING
                """, [pipeline, work, from.description, to.description]))
        return rows.affectedRows ?? 0
    }

    /// Claims the earliest claimable partition of `from...to`: pending, failed fewer than
    /// `maxAttempts` times, or claimed under a lease that expired. Nil when none is claimable now.
    static func claimNext(
        _ connection: PostgresConnection, pipeline: String, work: String, from: PartitionDay, to: PartitionDay,
        holder: Holder, leaseSeconds: Double, maxAttempts: Int
    ) throws -> Claim? {
        let rows = try connection.execute(
            SQLQuery(
                """
                WITH next AS (
                    SELECT pipeline, work, partition, state AS previous_state,
                           holder_host AS previous_host, holder_pid AS previous_pid
                    FROM etl_claims
                    WHERE pipeline = $1 AND work = $2 AND partition BETWEEN $3::date AND $4::date
                      AND (state = 'pending'
                           OR (state = 'failed' AND attempts < $5)
                           OR (state = 'claimed'
                               AND heartbeat_at + make_interval(secs => lease_seconds) < clock_timestamp()))
                    ORDER BY partition
                    LIMIT 1
                    FOR UPDATE SKIP LOCKED
                )
                UPDATE etl_claims c
                SET state = 'claimed', attempts = c.attempts + 1, holder_host = $6, holder_pid = $7,
                    holder_token = $8, lease_seconds = $9, claimed_at = clock_timestamp(),
                    heartbeat_at = clock_timestamp(), finished_at = NULL, error = NULL
                FROM next
                WHERE c.pipeline = next.pipeline AND c.work = next.work AND c.partition = next.partition
                RETURNING c.partition::text, c.attempts, next.previous_state, next.previous_host, next.previous_pid
                """,
                [
                    pipeline, work, from.description, to.description, maxAttempts, holder.host, holder.pid,
                    holder.token, leaseSeconds,
                ]))
        guard rows.count == 1, let text = rows.value(row: 0, column: 0), let day = PartitionDay(text) else {
            return nil
        }
        var tookOverFrom: String?
        if rows.value(row: 0, column: 2) == "claimed" {
            tookOverFrom = "\(rows.value(row: 0, column: 3) ?? "?") pid \(rows.value(row: 0, column: 4) ?? "?")"
        }
        return Claim(partition: day, attempt: try rows.int(row: 0, column: 1) ?? 1, tookOverFrom: tookOverFrom)
    }

    /// Renews the lease; false when this holder no longer has the claim (it expired and was taken over).
    static func heartbeat(
        _ connection: PostgresConnection, pipeline: String, work: String, partition: PartitionDay, holder: Holder
    ) throws -> Bool {
        let rows = try connection.execute(
            SQLQuery(
                """
                UPDATE etl_claims SET heartbeat_at = clock_timestamp()
                WHERE pipeline = $1 AND work = $2 AND partition = $3::date AND holder_token = $4 AND state = 'claimed'
                """, [pipeline, work, partition.description, holder.token]))
        return (rows.affectedRows ?? 0) == 1
    }

    /// How a claim ends.
    enum Outcome: Sendable, Equatable {
        /// Every unit succeeded or skipped: never claimed again by the same request.
        case done(runID: String?)
        /// A stage failed: claimable again until `maxAttempts`.
        case failed(runID: String?, error: String)
        /// Given back unworked or half-worked (stop signal, partition locked by a run outside the
        /// queue): pending again at once, the attempt not counted.
        case released(runID: String?)
    }

    /// Ends this holder's claim. `done` is recorded even when the lease was taken over meanwhile:
    /// the partition lock kept the work exclusive, and the work is finished.
    static func finish(
        _ connection: PostgresConnection, pipeline: String, work: String, partition: PartitionDay, holder: Holder,
        outcome: Outcome
    ) throws {
        let key: [(any PostgresBindable)?] = [pipeline, work, partition.description, holder.token]
        switch outcome {
        case .done(let runID):
            _ = try connection.execute(
                SQLQuery(
                    """
                    UPDATE etl_claims SET state = 'done', finished_at = clock_timestamp(), run_id = $5, error = NULL,
                      holder_host = $6, holder_pid = $7, holder_token = $4
                    WHERE pipeline = $1 AND work = $2 AND partition = $3::date
                    """, key + [runID, holder.host, holder.pid]))
        case .failed(let runID, let error):
            _ = try connection.execute(
                SQLQuery(
                    """
                    UPDATE etl_claims SET state = 'failed', finished_at = clock_timestamp(), run_id = $5, error = $6
                    WHERE pipeline = $1 AND work = $2 AND partition = $3::date AND holder_token = $4 AND state = 'claimed'
                    """, key + [runID, error]))
        case .released(let runID):
            _ = try connection.execute(
                SQLQuery(
                    """
                    UPDATE etl_claims SET state = 'pending', attempts = greatest(attempts - 1, 0), run_id = $5,
                      holder_token = NULL
                    WHERE pipeline = $1 AND work = $2 AND partition = $3::date AND holder_token = $4 AND state = 'claimed'
                    """, key + [runID]))
        }
    }

    /// Counts of `from...to` by state: what is left for the queue (pending, claimed, retryable
    /// failed) and what failed for good.
    static func remaining(
        _ connection: PostgresConnection, pipeline: String, work: String, from: PartitionDay, to: PartitionDay,
        maxAttempts: Int
    ) throws -> (open: Int, claimed: Int, failedForGood: [PartitionDay]) {
        let rows = try connection.execute(
            SQLQuery(
                """
                SELECT partition::text, state, attempts FROM etl_claims
                WHERE pipeline = $1 AND work = $2 AND partition BETWEEN $3::date AND $4::date AND state <> 'done'
                ORDER BY partition
                """, [pipeline, work, from.description, to.description]))
        var open = 0
        var claimed = 0
        var failed: [PartitionDay] = []
        for row in 0..<rows.count {
            let state = rows.value(row: row, column: 1)
            let attempts = try rows.int(row: row, column: 2) ?? 0
            if state == "failed" && attempts >= maxAttempts {
                if let day = rows.value(row: row, column: 0).flatMap({ PartitionDay($0) }) { failed.append(day) }
            } else {
                open += 1
                if state == "claimed" { claimed += 1 }
            }
        }
        return (open, claimed, failed)
    }

    /// Every claim of `pipeline` (or of every pipeline), for `status`.
    static func rows(_ connection: PostgresConnection, pipeline: String?) throws -> [Row] {
        let rows = try connection.execute(
            SQLQuery(
                """
                SELECT pipeline, work, partition::text, state, attempts, holder_host, holder_pid,
                       extract(epoch FROM clock_timestamp() - heartbeat_at)::float8, lease_seconds, run_id, error
                FROM etl_claims WHERE $1::text IS NULL OR pipeline = $1
                ORDER BY pipeline, work, partition
                """, [pipeline]))
        return try (0..<rows.count).map { row in
            Row(
                pipeline: rows.value(row: row, column: 0) ?? "", work: rows.value(row: row, column: 1) ?? "",
                partition: rows.value(row: row, column: 2) ?? "", state: rows.value(row: row, column: 3) ?? "",
                attempts: try rows.int(row: row, column: 4) ?? 0, host: rows.value(row: row, column: 5),
                pid: try rows.int(row: row, column: 6),
                heartbeatAgeSeconds: rows.value(row: row, column: 7).flatMap(Double.init),
                leaseSeconds: rows.value(row: row, column: 8).flatMap(Double.init),
                runID: rows.value(row: row, column: 9), error: rows.value(row: row, column: 10))
        }
    }
}

import ChainETLCore
import ChainETLPostgres
import Foundation

/// The reads `status` makes against the ledger, `transfers` and `etl_chain_heads`.
///
/// Every query is small: latest rows through the ledger's indexes, one row per chain from
/// `transfers` via its `block_time` index.
struct StatusQueries {
    let connection: PostgresConnection

    /// Whether a table (resolved through `search_path`) exists.
    func tableExists(_ name: String) throws -> Bool {
        let rows = try query("check for table \(name)", SQLQuery("SELECT to_regclass($1) IS NOT NULL", [name]))
        return rows.bool(row: 0, column: 0) == true
    }

    /// The newest loaded transfer of a chain: its block and time.
    func lastLoaded(chainID: Int) throws -> (block: Int, time: Date)? {
        let rows = try query(
            "read the last loaded block of chain \(chainID) from transfers",
            SQLQuery(
                """
                SELECT block_number, extract(epoch FROM block_time)::float8 FROM transfers
                WHERE chain_id = $1 ORDER BY block_time DESC, block_number DESC LIMIT 1
                """, [chainID]))
        guard rows.count == 1, let block = try rows.int(row: 0, column: 0) else { return nil }
        return (block, try date(rows, row: 0, column: 1))
    }

    /// Chains with transfers since `since` (a bounded scan of recent partitions).
    func recentChainIDs(since: Date) throws -> [Int] {
        let rows = try query(
            "list the chains in transfers",
            SQLQuery("SELECT DISTINCT chain_id FROM transfers WHERE block_time >= $1 ORDER BY 1", [since]))
        return try (0..<rows.count).compactMap { try rows.int(row: $0, column: 0) }
    }

    /// Every recorded head, by chain id.
    func knownHeads() throws -> [Int: StatusReport.ChainHead] {
        let rows = try query(
            "read etl_chain_heads",
            SQLQuery(
                unsafeSQL: """
                    SELECT chain_id, head_block, extract(epoch FROM head_time)::float8,
                      extract(epoch FROM observed_at)::float8 FROM etl_chain_heads
                    """))
        var heads: [Int: StatusReport.ChainHead] = [:]
        for row in 0..<rows.count {
            guard let chainID = try rows.int(row: row, column: 0), let block = try rows.int(row: row, column: 1) else {
                continue
            }
            heads[chainID] = StatusReport.ChainHead(
                block: block, time: try date(rows, row: row, column: 2),
                observedAt: try date(rows, row: row, column: 3),
                source: .lastKnown)
        }
        return heads
    }

    /// Pipelines that appear in the ledger.
    func pipelineNames() throws -> [String] {
        let rows = try query(
            "list the pipelines in the ledger",
            SQLQuery(
                unsafeSQL: "SELECT pipeline FROM etl_runs UNION SELECT DISTINCT pipeline FROM etl_stage_runs ORDER BY 1"
            ))
        return (0..<rows.count).compactMap { rows.value(row: $0, column: 0) }
    }

    /// The latest finished status of every (partition, stage) of `pipeline` in `[first, last]`.
    func latestStatuses(pipeline: String, first: PartitionDay, last: PartitionDay) throws -> [PartitionDay: [String:
        String]]
    {
        let rows = try query(
            "read the latest stage statuses of pipeline \(pipeline)",
            SQLQuery(
                """
                SELECT DISTINCT ON (partition, stage) partition::text, stage, status FROM etl_stage_runs
                WHERE pipeline = $1 AND partition BETWEEN $2::date AND $3::date AND status <> 'running'
                ORDER BY partition, stage, started_at DESC, id DESC
                """, [pipeline, first.description, last.description]))
        var result: [PartitionDay: [String: String]] = [:]
        for row in 0..<rows.count {
            guard let dayText = rows.value(row: row, column: 0), let day = PartitionDay(dayText),
                let stage = rows.value(row: row, column: 1), let status = rows.value(row: row, column: 2)
            else { continue }
            result[day, default: [:]][stage] = status
        }
        return result
    }

    /// The stage ids the ledger has ever recorded for `pipeline`, in first-seen order.
    func stagesSeen(pipeline: String) throws -> [String] {
        let rows = try query(
            "list the stages of pipeline \(pipeline)",
            SQLQuery(
                "SELECT stage FROM etl_stage_runs WHERE pipeline = $1 GROUP BY stage ORDER BY min(id)", [pipeline]))
        return (0..<rows.count).compactMap { rows.value(row: $0, column: 0) }
    }

    /// The most recent stage run with `status` among `pipelines`.
    ///
    /// - Parameters:
    ///   - unlessSucceededLater: skip runs after which the same (pipeline, partition, stage) succeeded
    ///     or was skipped (a failure fixed by a rerun is no longer the last failure).
    ///   - stages: the stages that count; nil counts every stage.
    ///   - shared: also count runs of `shared.stages` (stages of several chains) whose error text
    ///     names the chain (`chain <name>`, as extract errors do) or names none of the pipeline's chains.
    func latestStageRun(
        pipelines: [String], stages: [String]?, statuses: [String], unlessSucceededLater: Bool = false,
        shared: SharedStages? = nil
    ) throws -> StatusReport.StageRunSummary? {
        var sql = """
            SELECT pipeline, stage, partition::text, run_id, extract(epoch FROM coalesce(finished_at, started_at))::float8,
              error
            FROM etl_stage_runs r WHERE pipeline = ANY($1::text[]) AND status = ANY($2::text[])
            """
        if unlessSucceededLater {
            sql += """
                 AND NOT EXISTS (
                  SELECT 1 FROM etl_stage_runs later
                  WHERE later.pipeline = r.pipeline AND later.partition = r.partition AND later.stage = r.stage
                    AND later.status IN ('succeeded', 'skipped')
                    AND (later.started_at, later.id) > (r.started_at, r.id))
                """
        }
        var bindings: [(any PostgresBindable)?] = [PostgresTextArray(pipelines), PostgresTextArray(statuses)]
        if let stages {
            sql += " AND (stage = ANY($3::text[])"
            bindings.append(PostgresTextArray(stages))
            if let shared, !shared.stages.isEmpty {
                sql += """
                     OR (stage = ANY($4::text[]) AND (coalesce(error, '') ~* $5
                      OR NOT EXISTS (SELECT 1 FROM unnest($6::text[]) AS named WHERE coalesce(error, '') ~* named)))
                    """
                bindings.append(PostgresTextArray(shared.stages))
                bindings.append(SharedStages.pattern(naming: shared.chain))
                bindings.append(PostgresTextArray(shared.allChains.map(SharedStages.pattern(naming:))))
            }
            sql += ")"
        }
        sql += " ORDER BY coalesce(finished_at, started_at) DESC, id DESC LIMIT 1"
        let rows = try query(
            "read the last \(statuses.joined(separator: "/")) stage run", SQLQuery(sql, bindings))
        guard rows.count == 1, let pipeline = rows.value(row: 0, column: 0), let stage = rows.value(row: 0, column: 1),
            let dayText = rows.value(row: 0, column: 2), let partition = PartitionDay(dayText),
            let runID = rows.value(row: 0, column: 3)
        else { return nil }
        return StatusReport.StageRunSummary(
            pipeline: pipeline, stage: stage, partition: partition, runID: runID,
            at: try date(rows, row: 0, column: 4), error: rows.value(row: 0, column: 5))
    }

    /// When `pipeline` last finished a run with status `succeeded`.
    func lastSuccessfulRun(pipeline: String) throws -> Date? {
        let rows = try query(
            "read the last successful run of pipeline \(pipeline)",
            SQLQuery(
                """
                SELECT extract(epoch FROM max(finished_at))::float8 FROM etl_runs
                WHERE pipeline = $1 AND status = 'succeeded'
                """, [pipeline]))
        guard rows.count == 1, rows.value(row: 0, column: 0) != nil else { return nil }
        return try date(rows, row: 0, column: 0)
    }

    /// Calls per key fingerprint on `day`.
    func quotaUsage(day: PartitionDay) throws -> [String: Int] {
        let rows = try query(
            "read etl_api_quota",
            SQLQuery("SELECT key_fingerprint, calls FROM etl_api_quota WHERE day = $1::date", [day.description]))
        var usage: [String: Int] = [:]
        for row in 0..<rows.count {
            guard let fingerprint = rows.value(row: row, column: 0), let calls = try rows.int(row: row, column: 1)
            else {
                continue
            }
            usage[fingerprint] = calls
        }
        return usage
    }

    private func query(_ action: String, _ statement: SQLQuery) throws -> PostgresRows {
        do {
            return try connection.execute(statement)
        } catch {
            throw OperationsError.database(action: action, message: "\(error)")
        }
    }

    private func date(_ rows: PostgresRows, row: Int, column: Int) throws -> Date {
        guard let text = rows.value(row: row, column: column), let seconds = Double(text) else {
            throw OperationsError.database(
                action: "read column \(rows.columnNames[column])", message: "expected epoch seconds")
        }
        return Date(timeIntervalSince1970: seconds)
    }
}

/// Stages that serve several chains (their `with:` names none), for attributing their failures.
struct SharedStages: Equatable {
    var stages: [String]
    /// The chain whose status is collected.
    var chain: String
    /// Every chain of the pipeline.
    var allChains: [String]

    /// A PostgreSQL regular expression for `chain <name>` as a whole word, case-insensitive with `~*`.
    static func pattern(naming chain: String) -> String {
        let escaped = chain.map { $0.isLetter || $0.isNumber ? String($0) : "\\" + String($0) }.joined()
        return "\\mchain " + escaped + "\\M"
    }
}

import ChainETLCore
import ChainETLPostgres
import Logging

/// Loads one partition of canonical transfers into `transfers`, in one transaction (SPEC §6).
///
/// The transaction serializes on an advisory lock per (chain, day), then takes one of three ways:
/// - **unchanged**: `etl_loads` records this input manifest and the table still holds the row
///   count recorded with it, so nothing is read;
/// - **first load**: no pipeline has rows for this day and these chains, so the rows are streamed
///   with `COPY` straight into the month partition (the `\copy` ceiling);
/// - **replace**: the rows are copied into a temporary staging table; this pipeline's rows of the
///   scope that the checkpoint no longer holds unchanged are deleted and the new ones inserted with
///   `ON CONFLICT DO NOTHING`, so the scope ends up equal to the checkpoint.
///
/// The ledger row is written in the same transaction, so a crash at any point leaves either the
/// previous state or the complete load. A first load that meets a duplicate key (a checkpoint
/// that repeats a transfer) is rolled back and redone the replace way.
package struct TransferLoader {
    /// The table loaded when a stage does not name one.
    package static let defaultTable = "transfers"
    /// The staging table of the replace way; dropped at commit.
    static let stagingTable = "chainetl_load_staging"

    /// Calls its argument with every input line (without `\n`); may be called twice.
    package typealias LineSource = (_ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Void

    let connection: PostgresConnection
    let logger: Logger

    package init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Loads the lines of `request`'s checkpoint; see the type's documentation for the three ways.
    package func load(_ request: TransferLoadRequest, lines: LineSource) throws -> TransferLoadResult {
        var step = "creating the month partition"
        do {
            var copyTarget = try partitionTarget(request)
            var staged = false
            while true {
                do {
                    let result = try connection.transaction {
                        try loadInTransaction(
                            request, lines: lines, copyTarget: copyTarget, forceStaging: staged, step: &step)
                    }
                    logger.info(
                        "transfers loaded",
                        metadata: [
                            "partition": "\(request.partition)", "load.mode": "\(result.mode.rawValue)",
                            "rows.read": "\(result.rowsRead)", "rows.inserted": "\(result.inserted)",
                            "rows.present": "\(result.present)", "rows.removed": "\(result.removed)",
                            "rows.excluded": "\(result.excluded)",
                        ])
                    return result
                } catch let error as PostgresError where error.sqlState == "23505" && !staged {
                    logger.notice(
                        "first load met a duplicate key, loading through staging",
                        metadata: ["partition": "\(request.partition)", "load.step": "\(step)"])
                    staged = true
                    // The staged way inserts through the parent, so the month partition must exist.
                    copyTarget = try ensurePartition(request)
                }
            }
        } catch let error as PostgresError {
            throw LoadError.databaseFailed(
                partition: request.partition, table: request.table, step: step, underlying: error)
        }
    }

    /// Whether `etl_loads` records `request.manifestHash` for this stage and partition and the
    /// table still holds the row count recorded with it.
    package func isCurrent(_ request: TransferLoadRequest) throws -> Bool {
        guard
            let entry = try LoadLedger.entry(
                pipeline: request.pipeline, partition: request.partition, stage: request.stage, on: connection),
            entry.manifestHash == request.manifestHash, let recorded = entry.rowsHeld
        else { return false }
        return try heldRows(request, table: SQLIdentifier.quote(request.table)) == recorded
    }

    /// The COPY target of the first-load way: the month partition, or the table itself when a
    /// stage names another table. A missing month partition is not created here: the first load
    /// of a month builds it inside its own transaction (`copyIntoFreshPartition`).
    private func partitionTarget(_ request: TransferLoadRequest) throws -> MonthPartition? {
        try monthPartition(request, function: "chainetl_transfer_partition_name")
    }

    /// Creates the month partition in its own short transaction (it locks `transfers` while it
    /// creates one) and returns the COPY target of the first-load way.
    private func ensurePartition(_ request: TransferLoadRequest) throws -> MonthPartition? {
        try monthPartition(request, function: "chainetl_ensure_transfer_partition")
    }

    /// The partition name that `function` (a fixed name from schemas/0002) returns for the
    /// request's day; nil when the stage loads into a table other than `transfers`.
    private func monthPartition(_ request: TransferLoadRequest, function: StaticString) throws -> MonthPartition? {
        guard request.table == Self.defaultTable else { return nil }
        let rows = try connection.execute(
            SQLQuery("SELECT \(function)($1::timestamptz)", [request.partition.start]))
        guard rows.count == 1, let name = rows.value(row: 0, column: 0) else {
            throw PostgresError.unexpectedResult(statement: "\(function)", message: "it returned no partition name")
        }
        return MonthPartition(name: name)
    }

    private func loadInTransaction(
        _ request: TransferLoadRequest, lines: LineSource, copyTarget: MonthPartition?, forceStaging: Bool,
        step: inout String
    ) throws -> TransferLoadResult {
        let table = SQLIdentifier.quote(request.table)
        step = "waiting for the load lock of this day and its chains"
        for chainID in request.chainIDs {
            try connection.execute(
                SQLQuery(
                    "SELECT pg_advisory_xact_lock(hashtextextended('chainetl.load|' || current_schema() || '|' || $1, 0))",
                    ["\(request.table)|\(chainID)|\(request.partition)"]))
        }

        step = "reading the load ledger"
        let entry = try LoadLedger.entry(
            pipeline: request.pipeline, partition: request.partition, stage: request.stage, on: connection)
        if let entry, entry.manifestHash == request.manifestHash {
            step = "counting the rows already loaded"
            let held = try heldRows(request, table: table)
            let recorded = entry.rowsHeld ?? -1
            let loaded = entry.rowsInserted + entry.rowsPresent
            if held == recorded, loaded <= request.totalRows {
                return TransferLoadResult(
                    mode: .unchanged, rowsRead: request.totalRows, inserted: 0, present: loaded, removed: 0,
                    excluded: request.totalRows - loaded, held: held, replacedNULs: 0)
            }
        }

        step = "reading the transaction time"
        let now = try connection.execute(
            SQLQuery(unsafeSQL: "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"))
        var encoder = TransferCopyEncoder(
            pipeline: request.pipeline, partition: request.partition, chainIDs: request.chainIDs,
            loadedAt: now.value(row: 0, column: 0) ?? "", input: request.source, format: .binary)

        // A missing month partition is claimed before anything reads `transfers`: the partition
        // lock is taken while this transaction holds no lock on the table, so it cannot deadlock
        // with prune (which holds the partition lock and then drops a partition). Without the
        // partition the day has no rows, so this is a first load.
        var firstLoad = !forceStaging
        var freshPartition: MonthPartition?
        if firstLoad, let partition = copyTarget, try claimMissingPartition(partition, parent: table, step: &step) {
            freshPartition = partition
        } else if firstLoad {
            step = "checking whether the day already has rows"
            let occupied = try connection.execute(
                SQLQuery(
                    """
                    SELECT EXISTS (SELECT 1 FROM \(table)
                    WHERE block_time >= $1 AND block_time < $2 AND chain_id = ANY($3::bigint[]))
                    """, scopeBindings(request).dropFirst().map { $0 }))
            firstLoad = occupied.bool(row: 0, column: 0) == false
        }

        let result: TransferLoadResult
        if firstLoad {
            let read: Int
            let copied: Int
            let excluded: Int
            if let partition = freshPartition {
                (read, copied, excluded) = try copyIntoFreshPartition(
                    request, partition: partition, lines: lines, encoder: &encoder, step: &step)
            } else {
                step = "copying rows into the month partition"
                let target = copyTarget.map { SQLIdentifier.quote($0.name) } ?? table
                (read, copied, excluded) = try copy(lines, into: target, encoder: &encoder)
            }
            result = TransferLoadResult(
                mode: .firstLoad, rowsRead: read, inserted: copied, present: 0, removed: 0, excluded: excluded,
                held: copied, replacedNULs: encoder.replacedNULs)
        } else {
            result = try replace(request, table: table, lines: lines, encoder: &encoder, step: &step)
        }

        step = "writing the load ledger"
        try LoadLedger.record(
            LoadLedger.Entry(
                pipeline: request.pipeline, partition: request.partition, stage: request.stage,
                source: request.source, manifestHash: request.manifestHash, rowsInserted: result.inserted,
                rowsPresent: result.present, rowsRemoved: result.removed, rowsHeld: result.held),
            on: connection)
        return result
    }

    /// The replace way: stage, delete what the checkpoint no longer holds, insert what is new.
    private func replace(
        _ request: TransferLoadRequest, table: String, lines: LineSource, encoder: inout TransferCopyEncoder,
        step: inout String
    ) throws -> TransferLoadResult {
        let staging = SQLIdentifier.quote(Self.stagingTable)
        let columns = Self.columnList
        step = "creating the staging table"
        try connection.execute(
            SQLQuery(unsafeSQL: "CREATE TEMP TABLE \(staging) (LIKE \(table)) ON COMMIT DROP"))
        step = "copying rows into the staging table"
        let (read, staged, excluded) = try copy(lines, into: staging, encoder: &encoder)
        // Temporary tables are never auto-analyzed; the planner needs the row count to hash it.
        try connection.execute(SQLQuery(unsafeSQL: "ANALYZE \(staging)"))

        // A month partition that was just bulk-loaded has no statistics yet, so the planner sees it
        // as nearly empty and picks a nested-loop anti join that scans the staging table once per
        // stored row: minutes for 100k rows. Hash joins are right whatever the estimates; the
        // extra work_mem keeps a day's staging hash in few batches. Both end with the transaction.
        try connection.execute(SQLQuery(unsafeSQL: "SET LOCAL enable_nestloop = off"))
        try connection.execute(SQLQuery(unsafeSQL: "SET LOCAL work_mem = '64MB'"))
        step = "removing rows the checkpoint no longer holds"
        let compared = Self.comparedColumns.map(SQLIdentifier.quote)
        let removed =
            try connection.execute(
                SQLQuery(
                    """
                    DELETE FROM \(table) AS t
                    WHERE t.pipeline = $1 AND t.block_time >= $2 AND t.block_time < $3 AND t.chain_id = ANY($4::bigint[])
                      AND NOT EXISTS (
                        SELECT 1 FROM \(staging) AS s
                        WHERE s.token_address = t.token_address AND s.transfer_id = t.transfer_id
                          AND s.block_time = t.block_time
                          AND (\(compared.map { "s.\($0)" }.joined(separator: ", ")))
                              IS NOT DISTINCT FROM (\(compared.map { "t.\($0)" }.joined(separator: ", "))))
                    """, scopeBindings(request))
            ).affectedRows ?? 0

        step = "inserting new rows"
        let inserted =
            try connection.execute(
                SQLQuery(
                    unsafeSQL: """
                        INSERT INTO \(table) (\(columns)) SELECT \(columns) FROM \(staging) ON CONFLICT DO NOTHING
                        """)
            ).affectedRows ?? 0

        step = "counting the rows loaded"
        let held = try heldRows(request, table: table)
        return TransferLoadResult(
            mode: .replaced, rowsRead: read, inserted: inserted, present: staged - inserted, removed: removed,
            excluded: excluded, held: held, replacedNULs: encoder.replacedNULs)
    }

    /// Whether the month partition is missing, in which case this transaction now holds the
    /// partition DDL lock (so no other loader creates it before this one commits) and must create it.
    private func claimMissingPartition(_ partition: MonthPartition, parent: String, step: inout String) throws
        -> Bool
    {
        step = "checking whether the month partition exists"
        // A query on pg_class, not to_regclass: name lookups go through the backend's catalog
        // cache, which keeps "no such relation" until the transaction next locks a relation, so it
        // would miss a partition another loader committed while this one waited for the lock.
        // pg_class read by a statement sees every transaction committed before the statement.
        let exists = SQLQuery(
            """
            SELECT EXISTS (SELECT 1 FROM pg_class c WHERE c.relname = $1
                AND c.relnamespace = (SELECT p.relnamespace FROM pg_class p WHERE p.oid = $2::text::regclass))
            """, [partition.name, parent])
        guard try connection.execute(exists).bool(row: 0, column: 0) == false else { return false }
        step = "waiting for the partition lock"
        try connection.execute(SQLQuery(unsafeSQL: "SELECT chainetl_transfer_partition_lock()"))
        // Re-check under the lock: another loader may have created it and committed meanwhile.
        return try connection.execute(exists).bool(row: 0, column: 0) == false
    }

    /// The first load of a month: a new table with the parent's columns and checks, the rows
    /// copied with `FREEZE` (the table is new in this transaction) and no index to maintain, then
    /// attached as the month partition. Attaching builds the parent's indexes on it by sorting,
    /// far cheaper than inserting every row into two B-trees, and the bounds check added before
    /// the copy spares the scan that attaching would otherwise make. All of it commits or rolls
    /// back with the load; a duplicate key fails the primary key's build with 23505, as a COPY
    /// into the indexed partition would.
    private func copyIntoFreshPartition(
        _ request: TransferLoadRequest, partition: MonthPartition, lines: LineSource,
        encoder: inout TransferCopyEncoder, step: inout String
    ) throws -> (Int, Int, Int) {
        step = "creating the month partition"
        let parent = SQLIdentifier.quote(request.table)
        let statements = try connection.execute(
            SQLQuery(
                """
                SELECT format('CREATE TABLE %I.%I (LIKE %I.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                              n.nspname, $1::text, n.nspname, c.relname),
                       format('ALTER TABLE %I.%I ADD CONSTRAINT %I CHECK (block_time >= %L AND block_time < %L)',
                              n.nspname, $1::text, $1::text || '_bounds', b.low, b.high),
                       format('ALTER TABLE %I.%I ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
                              n.nspname, c.relname, n.nspname, $1::text, b.low, b.high),
                       format('ALTER TABLE %I.%I DROP CONSTRAINT %I', n.nspname, $1::text, $1::text || '_bounds'),
                       b.month::text
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                     LATERAL (SELECT m::date AS month,
                                     to_char(m, 'YYYY-MM-DD') || ' 00:00:00+00' AS low,
                                     to_char(m + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00' AS high
                              FROM date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC') AS m) AS b
                WHERE c.oid = $3::text::regclass
                """, [partition.name, request.partition.start, parent]))
        guard statements.count == 1, let create = statements.value(row: 0, column: 0),
            let bounds = statements.value(row: 0, column: 1), let attach = statements.value(row: 0, column: 2),
            let dropBounds = statements.value(row: 0, column: 3), let month = statements.value(row: 0, column: 4)
        else {
            throw PostgresError.unexpectedResult(statement: "month partition DDL", message: "no statements")
        }
        // Identifiers quoted by format('%I') and bounds by format('%L') on the server, from bound values.
        try connection.execute(SQLQuery(unsafeSQL: create))
        try connection.execute(SQLQuery(unsafeSQL: bounds))
        step = "copying rows into the new month partition"
        let counts = try copy(
            lines, into: SQLIdentifier.quote(partition.name), encoder: &encoder, freeze: true)
        step = "indexing and attaching the month partition"
        // Index builds sort in memory up to this; a day's keys fit in a few hundred MB.
        try connection.execute(SQLQuery(unsafeSQL: "SET LOCAL maintenance_work_mem = '256MB'"))
        try connection.execute(SQLQuery(unsafeSQL: attach))
        try connection.execute(SQLQuery(unsafeSQL: dropBounds))
        try connection.execute(SQLQuery("DELETE FROM transfers_pruned_months WHERE month = $1::date", [month]))
        return counts
    }

    /// Streams every line through `encoder` into `COPY target FROM STDIN` in binary format;
    /// returns (read, copied, excluded).
    ///
    /// Binary, so the server parses no text (hex, decimal digits, timestamps): it is the bound of
    /// a load into an indexed partition. A thread of its own sends the rows, so the checkpoint's
    /// rows are scanned and encoded while the server stores the previous ones (docs/performance.md).
    private func copy(
        _ lines: LineSource, into target: String, encoder: inout TransferCopyEncoder, freeze: Bool = false
    ) throws -> (Int, Int, Int) {
        var read = 0
        var excluded = 0
        let options = freeze ? "FORMAT binary, FREEZE" : "FORMAT binary"
        let copied = try connection.copyIn(
            SQLQuery(unsafeSQL: "COPY \(target) (\(Self.columnList)) FROM STDIN WITH (\(options))"),
            format: .binary, sendOnThread: true
        ) { writer in
            try lines { line in
                read += 1
                guard try encoder.encode(line, lineNumber: read) != nil else {
                    excluded += 1
                    return
                }
                try encoder.row.withUnsafeBytes { try writer.appendBinaryTuple($0) }
            }
        }
        return (read, copied, excluded)
    }

    /// Rows of the scope (this pipeline, day and chains) the table holds.
    private func heldRows(_ request: TransferLoadRequest, table: String) throws -> Int {
        let rows = try connection.execute(
            SQLQuery(
                """
                SELECT count(*) FROM \(table)
                WHERE pipeline = $1 AND block_time >= $2 AND block_time < $3 AND chain_id = ANY($4::bigint[])
                """, scopeBindings(request)))
        return try rows.int(row: 0, column: 0) ?? 0
    }

    /// `$1` pipeline, `$2` day start, `$3` day end, `$4` chain ids.
    private func scopeBindings(_ request: TransferLoadRequest) -> [(any PostgresBindable)?] {
        [
            request.pipeline, request.partition.start, request.partition.end,
            PostgresTextArray(request.chainIDs.map { String($0) }),
        ]
    }

    /// The COPY / INSERT column list, quoted.
    static let columnList = TransferCopyEncoder.columns.map(SQLIdentifier.quote).joined(separator: ", ")

    /// Columns that make a stored row differ from a staged one with the same key (all but the key,
    /// `pipeline` and `loaded_at`): a changed row is removed and inserted again.
    static let comparedColumns = TransferCopyEncoder.columns.filter {
        !["transfer_id", "token_address", "block_time", "pipeline", "loaded_at"].contains($0)
    }
}

/// The month partition of `transfers` a load targets, by name (unquoted).
struct MonthPartition {
    let name: String
}

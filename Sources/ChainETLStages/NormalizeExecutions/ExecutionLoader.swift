import ChainETLCore
import ChainETLPostgres

/// Replaces one UTC day of a source's rows in `executions`, in one transaction.
///
/// Rows stream from `file-row/1` lines through `ExecutionRowParser` into a temporary table by
/// COPY; then the day's previous rows of this (pipeline, source) are deleted and the new ones
/// inserted, the last row winning when the file repeats a (venue, execution_id). Rows of other
/// days are excluded (a file source without `time_field` hands every partition the whole file),
/// as are statuses outside `keepStatuses` when it is set. The `etl_loads` entry is written in the
/// same transaction, so a later `aggregate` of the day knows it must run again.
struct ExecutionLoader {
    /// The row accounting of one load.
    struct Counts: Equatable, Sendable {
        var rowsIn = 0
        var quarantined = 0
        /// Rows of other days, or with a status outside `keepStatuses`.
        var excluded = 0
        /// Of the excluded rows, those of other days: the rows the partition is judged on are the rest.
        var otherDays = 0
        /// Repeats of a (venue, execution_id) within the day; the last one is kept.
        var duplicates = 0
        var inserted = 0
        var removed = 0
        /// The day's rows of this (pipeline, source) before the load.
        var previous = 0
        /// Of those, the ones the file no longer has (by venue and execution id).
        var dropped = 0
    }

    let parser: ExecutionRowParser
    /// When set, only these (lowercase) statuses are loaded.
    let keepStatuses: Set<String>?
    let pipeline: String
    /// The `source` of the rows: the loading stage's id.
    let source: String

    /// Loads `day` from `lines` (`file-row/1`); rejected rows go to `reject`. `check` sees the
    /// counts (with `previous` and `dropped`) before anything is replaced; when it throws, the
    /// transaction rolls back and the loaded rows stay.
    func load(
        day: PartitionDay, connection: PostgresConnection, manifestHash: String,
        lines: some RowLineStream,
        reject: (FileRowRejection) throws -> Void,
        check: (Counts) throws -> Void = { _ in }
    ) throws -> Counts {
        var counts = Counts()
        try connection.transaction {
            try connection.execute(
                SQLQuery(
                    unsafeSQL: """
                        CREATE TEMP TABLE chainetl_executions_incoming (
                            execution_id text, venue text, account text, executed_at timestamptz, status text,
                            symbol text, side text, filled_size numeric, fill_price numeric, is_test boolean,
                            ordinal bigint
                        ) ON COMMIT DROP
                        """))
            var ordinal = 0
            let copied = try connection.copyIn(
                SQLQuery(
                    unsafeSQL: """
                        COPY chainetl_executions_incoming (execution_id, venue, account, executed_at, status, symbol,
                            side, filled_size, fill_price, is_test, ordinal) FROM STDIN
                        """)
            ) { writer in
                try lines.forEachLine { line in
                    counts.rowsIn += 1
                    switch parser.parse(line, fallbackFile: source, fallbackLine: counts.rowsIn) {
                    case .failure(let rejection):
                        // A row of another day is that day's to quarantine: here it is only excluded.
                        if let rowDay = parser.executedDay(line), rowDay != day {
                            counts.excluded += 1
                            counts.otherDays += 1
                            return
                        }
                        counts.quarantined += 1
                        try reject(rejection)
                    case .success(let record):
                        guard record.executedAt.day == day else {
                            counts.excluded += 1
                            counts.otherDays += 1
                            return
                        }
                        guard keepStatuses.map({ $0.contains(record.status) }) ?? true else {
                            counts.excluded += 1
                            return
                        }
                        ordinal += 1
                        Self.append(record, ordinal: ordinal, to: &writer)
                        try writer.endRow()
                    }
                }
            }
            let before = try connection.execute(
                SQLQuery(
                    """
                    SELECT count(*),
                           count(*) FILTER (WHERE NOT EXISTS (
                               SELECT 1 FROM chainetl_executions_incoming i
                               WHERE i.venue = e.venue AND i.execution_id = e.execution_id))
                    FROM executions e
                    WHERE executed_at >= $1 AND executed_at < $2 AND pipeline = $3 AND source = $4
                    """, [day.start, day.end, pipeline, source]))
            counts.previous = try before.int(row: 0, column: 0) ?? 0
            counts.dropped = try before.int(row: 0, column: 1) ?? 0
            try check(counts)
            counts.removed =
                try connection.execute(
                    SQLQuery(
                        """
                        DELETE FROM executions
                        WHERE executed_at >= $1 AND executed_at < $2 AND pipeline = $3 AND source = $4
                        """, [day.start, day.end, pipeline, source])
                ).affectedRows ?? 0
            counts.inserted =
                try connection.execute(
                    SQLQuery(
                        """
                        INSERT INTO executions (execution_id, venue, account, executed_at, status, symbol, side,
                                                filled_size, fill_price, is_test, source, pipeline)
                        SELECT DISTINCT ON (venue, execution_id)
                               execution_id, venue, account, executed_at, status, symbol, side, filled_size,
                               fill_price, is_test, $1, $2
                        FROM chainetl_executions_incoming
                        ORDER BY venue, execution_id, ordinal DESC
                        ON CONFLICT (venue, execution_id) DO UPDATE
                        SET account = EXCLUDED.account, executed_at = EXCLUDED.executed_at, status = EXCLUDED.status,
                            symbol = EXCLUDED.symbol, side = EXCLUDED.side, filled_size = EXCLUDED.filled_size,
                            fill_price = EXCLUDED.fill_price, is_test = EXCLUDED.is_test, source = EXCLUDED.source,
                            pipeline = EXCLUDED.pipeline, loaded_at = now()
                        """, [source, pipeline])
                ).affectedRows ?? 0
            counts.duplicates = copied - counts.inserted
            try LoadLedger.record(
                LoadLedger.Entry(
                    pipeline: pipeline, partition: day, stage: source, source: source, manifestHash: manifestHash,
                    rowsInserted: counts.inserted, rowsPresent: counts.inserted, rowsRemoved: counts.removed),
                on: connection)
        }
        return counts
    }

    private static func append(_ record: ExecutionRecord, ordinal: Int, to writer: inout PostgresCopyWriter) {
        writer.appendField(record.executionID)
        writer.appendField(record.venue)
        writer.appendField(record.account)
        writer.appendField(record.executedAt.postgresText)
        writer.appendField(record.status)
        appendOptional(record.symbol, to: &writer)
        appendOptional(record.side, to: &writer)
        appendOptional(record.filledSize, to: &writer)
        appendOptional(record.fillPrice, to: &writer)
        writer.appendField(record.isTest ? "t" : "f")
        writer.appendField(ordinal)
    }

    private static func appendOptional(_ value: String?, to writer: inout PostgresCopyWriter) {
        if let value { writer.appendField(value) } else { writer.appendNull() }
    }
}

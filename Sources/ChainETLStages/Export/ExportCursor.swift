import ChainETLPostgres

/// Streams an export query's rows through a server-side cursor, `fetchSize` rows at a time, and
/// probes its result columns without reading a row.
struct ExportCursor {
    static let cursorName = "chainetl_export_rows"
    static let probeStatement = "chainetl_export_probe"
    static let probeTable = "chainetl_export_probe"

    var sql: String
    var bindings: ExportBindings
    var fetchSize: Int

    /// Calls `body` with each batch, the first one even when it is empty, until the cursor is
    /// exhausted. Must run inside a transaction (a cursor lives until its end).
    func forEachBatch(connection: PostgresConnection, _ body: (PostgresRows) throws -> Void) throws {
        try connection.execute(
            SQLQuery(
                "DECLARE \(Self.cursorName) NO SCROLL CURSOR FOR \(sql)", bindings.values,
                types: ExportBindings.types))
        while true {
            let rows = try connection.execute(
                SQLQuery(unsafeSQL: "FETCH FORWARD \(fetchSize) FROM \(Self.cursorName)"))
            try body(rows)
            if rows.count < fetchSize { break }
        }
        try connection.execute(SQLQuery(unsafeSQL: "CLOSE \(Self.cursorName)"))
    }

    /// The name and Postgres type (`format_type`, type modifier included) of each result column
    /// of `sql`, in order.
    ///
    /// Postgres plans the query into an empty temporary table (`CREATE TABLE … AS EXECUTE … WITH
    /// NO DATA`, so no row is computed) whose catalog entry holds the types; everything is
    /// dropped again. Runs in its own transaction: the export's read-only one cannot create it.
    static func columns(of sql: String, connection: PostgresConnection) throws -> [(name: String, type: String)] {
        let parameterTypes = ExportBindings.typeNames.joined(separator: ", ")
        let nulls = ExportBindings.typeNames.map { _ in "NULL" }.joined(separator: ", ")
        let table = SQLIdentifier.quote(probeTable)
        try connection.execute(SQLQuery(unsafeSQL: "PREPARE \(probeStatement)(\(parameterTypes)) AS \(sql)"))
        defer { _ = try? connection.execute(SQLQuery(unsafeSQL: "DEALLOCATE \(probeStatement)")) }
        return try connection.transaction {
            try connection.execute(
                SQLQuery(
                    unsafeSQL: "CREATE TEMPORARY TABLE \(table) ON COMMIT DROP AS "
                        + "EXECUTE \(probeStatement)(\(nulls)) WITH NO DATA"))
            let rows = try connection.execute(
                SQLQuery(
                    """
                    SELECT attname::text, format_type(atttypid, atttypmod)
                    FROM pg_attribute
                    WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped
                    ORDER BY attnum
                    """, ["pg_temp.\(table)"]))
            return (0..<rows.count).map { (rows.value(row: $0, column: 0) ?? "", rows.value(row: $0, column: 1) ?? "") }
        }
    }
}

import ChainETLPostgres
import Foundation
import Logging

/// `chainetl import DIR`: loads an export bundle into any Postgres, idempotently.
///
/// 1. Verifies the manifest and every file's size and SHA-256 before touching the database.
/// 2. In one transaction: creates the schema and each summary's table from the manifest's
///    column types and key if absent (or checks an existing table is compatible), COPYs each CSV
///    into a temporary table, and upserts into the table by the summary's key. Rows whose values
///    are unchanged are not rewritten, so importing the same bundle twice changes nothing.
///
/// Rows are upserted, never deleted: a row that disappeared from a newer bundle of the same
/// partition stays until it is deleted by hand.
public struct ExportBundleImporter {
    /// What one summary's import did.
    public struct SummaryResult: Sendable, Equatable {
        public var name: String
        /// `"schema"."table"`.
        public var table: String
        public var rows: Int
        public var inserted: Int
        public var updated: Int
        public var unchanged: Int { rows - inserted - updated }
    }

    public let directory: URL
    public let schema: String

    public init(directory: URL, schema: String = "public") {
        self.directory = directory
        self.schema = schema
    }

    /// Verifies the bundle, then loads it in one transaction.
    public func run(connection: PostgresConnection, logger: Logger) throws -> (ExportManifest, [SummaryResult]) {
        let manifest = try verify(logger: logger)
        return (manifest, try load(manifest, connection: connection, logger: logger))
    }

    /// Checks the manifest and every file's size and SHA-256; needs no database.
    public func verify(logger: Logger) throws -> ExportManifest {
        let manifest = try ExportBundleVerifier(directory: directory).verifyFiles()
        logger.info(
            "export bundle verified",
            metadata: [
                "import.directory": "\(directory.path)", "import.files": "\(manifest.files.count)",
                "partition": "\(manifest.partition)", "pipeline": "\(manifest.pipeline)",
            ])
        return manifest
    }

    /// Loads a bundle `verify` accepted, in one transaction; returns what each summary did.
    public func load(_ manifest: ExportManifest, connection: PostgresConnection, logger: Logger) throws
        -> [SummaryResult]
    {
        try connection.transaction {
            try connection.execute(SQLQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(SQLIdentifier.quote(schema))"))
            var results: [SummaryResult] = []
            for summary in manifest.summaries {
                let result = try load(summary, connection: connection)
                logger.info(
                    "export summary imported",
                    metadata: [
                        "import.summary": "\(summary.name)", "rows.count": "\(result.rows)",
                        "rows.inserted": "\(result.inserted)", "rows.updated": "\(result.updated)",
                    ])
                results.append(result)
            }
            return results
        }
    }

    private func load(_ summary: ExportManifest.Summary, connection: PostgresConnection) throws -> SummaryResult {
        let table = SQLIdentifier.quote(schema: schema, summary.name)
        var types: [String] = []
        for column in summary.columns {
            types.append(try canonicalType(column, summary: summary, connection: connection))
        }
        let staging = SQLIdentifier.quote("chainetl_import_\(summary.name)")
        let names = summary.columns.map { SQLIdentifier.quote($0.name) }
        let keyNames = summary.key.map { SQLIdentifier.quote($0) }
        let definitions = zip(names, types).map { "\($0) \($1)" }.joined(separator: ", ")
        do {
            try connection.execute(
                SQLQuery(
                    unsafeSQL: "CREATE TABLE IF NOT EXISTS \(table) (\(definitions), "
                        + "PRIMARY KEY (\(keyNames.joined(separator: ", "))))"))
            try checkExistingTable(summary, types: types, table: table, connection: connection)
            try connection.execute(
                SQLQuery(unsafeSQL: "CREATE TEMPORARY TABLE \(staging) (\(definitions)) ON COMMIT DROP"))
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError.loadFailed(summary: summary.name, underlying: error)
        }

        let csvPath = directory.appendingPathComponent("\(summary.name).csv").path
        let reader = try CSVReader(path: csvPath)
        guard let header = try reader.nextRow() else {
            throw ImportError.malformedCSV(path: csvPath, line: 1, reason: "the file has no header row")
        }
        guard header == summary.columns.map({ Optional($0.name) }) else {
            throw ImportError.malformedCSV(
                path: csvPath, line: 1, reason: "the header does not list the manifest's columns in order")
        }
        let formulaEscaped = summary.columns.map { $0.formulaEscaped == true }
        let copied: Int
        do {
            copied = try connection.copyIn(
                SQLQuery(unsafeSQL: "COPY \(staging) (\(names.joined(separator: ", "))) FROM STDIN")
            ) { writer in
                while let row = try reader.nextRow() {
                    guard row.count == names.count else {
                        throw ImportError.malformedCSV(
                            path: csvPath, line: reader.rowLine,
                            reason: "the row has \(row.count) fields, the header \(names.count)")
                    }
                    for (field, escaped) in zip(row, formulaEscaped) {
                        if let field {
                            writer.appendField(escaped ? CSVFormulaGuard.unescaped(field) : field)
                        } else {
                            writer.appendNull()
                        }
                    }
                    try writer.endRow()
                }
            }
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError.loadFailed(summary: summary.name, underlying: error)
        }
        guard copied == summary.rows else {
            throw ImportError.malformedCSV(
                path: csvPath, line: reader.rowLine,
                reason: "the file holds \(copied) rows but manifest.json says \(summary.rows)")
        }

        let counts: PostgresRows
        do {
            counts = try connection.execute(
                SQLQuery(unsafeSQL: upsertSQL(summary, table: table, staging: staging, types: types)))
            try connection.execute(SQLQuery(unsafeSQL: "DROP TABLE \(staging)"))
        } catch {
            throw ImportError.loadFailed(summary: summary.name, underlying: error)
        }
        return SummaryResult(
            name: summary.name, table: table, rows: copied,
            inserted: try counts.int(row: 0, column: 0) ?? 0, updated: try counts.int(row: 0, column: 1) ?? 0)
    }

    /// `INSERT … ON CONFLICT (key) DO UPDATE … WHERE changed`, returning (inserted, updated).
    func upsertSQL(_ summary: ExportManifest.Summary, table: String, staging: String, types: [String]) -> String {
        let names = summary.columns.map { SQLIdentifier.quote($0.name) }
        let keyNames = summary.key.map { SQLIdentifier.quote($0) }
        let valueColumns = zip(summary.columns, types).filter { !summary.key.contains($0.0.name) }
        let conflict: String
        if valueColumns.isEmpty {
            conflict = "DO NOTHING"
        } else {
            // json has no equality operator: compare its text.
            func compared(_ prefix: String, _ column: ExportManifest.Column, _ type: String) -> String {
                let name = "\(prefix).\(SQLIdentifier.quote(column.name))"
                return type == "json" ? "\(name)::text" : name
            }
            let assignments = valueColumns.map { column, _ in
                "\(SQLIdentifier.quote(column.name)) = EXCLUDED.\(SQLIdentifier.quote(column.name))"
            }
            let current = valueColumns.map { compared("target", $0, $1) }
            let incoming = valueColumns.map { compared("EXCLUDED", $0, $1) }
            conflict =
                "DO UPDATE SET \(assignments.joined(separator: ", ")) "
                + "WHERE ROW(\(current.joined(separator: ", "))) IS DISTINCT FROM ROW(\(incoming.joined(separator: ", ")))"
        }
        return """
            WITH upserted AS (
                INSERT INTO \(table) AS target (\(names.joined(separator: ", ")))
                SELECT \(names.joined(separator: ", ")) FROM \(staging)
                ON CONFLICT (\(keyNames.joined(separator: ", "))) \(conflict)
                RETURNING (xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
            """
    }

    /// The manifest's type as Postgres names it, after checking it is a type (never raw DDL).
    private func canonicalType(
        _ column: ExportManifest.Column, summary: ExportManifest.Summary, connection: PostgresConnection
    ) throws -> String {
        let allowed = column.type.utf8.allSatisfy { byte in
            (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x20 || byte == 0x5F
                || byte == 0x28 || byte == 0x29 || byte == 0x2C || byte == 0x5B || byte == 0x5D
        }
        guard allowed, !column.type.isEmpty else {
            throw ImportError.invalidType(summary: summary.name, column: column.name, type: column.type)
        }
        let rows: PostgresRows
        do {
            rows = try connection.execute(SQLQuery("SELECT to_regtype($1)::text", [column.type]))
        } catch {
            throw ImportError.invalidType(summary: summary.name, column: column.name, type: column.type)
        }
        guard rows.count == 1, let canonical = rows.value(row: 0, column: 0) else {
            throw ImportError.invalidType(summary: summary.name, column: column.name, type: column.type)
        }
        return canonical
    }

    /// An existing table must have every manifest column with the same type and a primary key
    /// on exactly the summary's key.
    private func checkExistingTable(
        _ summary: ExportManifest.Summary, types: [String], table: String, connection: PostgresConnection
    ) throws {
        let columns = try connection.execute(
            SQLQuery(
                """
                SELECT a.attname::text, format_type(a.atttypid, NULL)
                FROM pg_attribute a
                WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
                """, [table]))
        var existing: [String: String] = [:]
        for row in 0..<columns.count {
            if let name = columns.value(row: row, column: 0) { existing[name] = columns.value(row: row, column: 1) }
        }
        for (column, type) in zip(summary.columns, types) {
            guard let found = existing[column.name] else {
                throw ImportError.incompatibleTable(table: table, reason: "it has no column \(column.name)")
            }
            guard found == type else {
                throw ImportError.incompatibleTable(
                    table: table, reason: "its column \(column.name) is \(found), the bundle's is \(type)")
            }
        }
        let key = try connection.execute(
            SQLQuery(
                """
                SELECT a.attname::text
                FROM pg_index i
                CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                WHERE i.indrelid = to_regclass($1) AND i.indisprimary
                ORDER BY k.position
                """, [table]))
        let keyColumns = (0..<key.count).compactMap { key.value(row: $0, column: 0) }
        guard Set(keyColumns) == Set(summary.key), keyColumns.count == summary.key.count else {
            throw ImportError.incompatibleTable(
                table: table,
                reason: "its primary key is (\(keyColumns.joined(separator: ", "))), "
                    + "the bundle's key is (\(summary.key.joined(separator: ", ")))")
        }
    }
}

import Foundation

/// Failures of an `export` stage. Each names the summary or file and says what to do.
enum ExportError: Error, CustomStringConvertible {
    /// A summary's export query file does not exist.
    case queryMissing(path: String)
    /// An export query file could not be read.
    case queryUnreadable(path: String, underlying: any Error)
    /// An export query file's header is malformed.
    case queryHeader(path: String, line: Int, message: String)
    /// Postgres refused or failed a summary's query.
    case queryFailed(summary: String, path: String, underlying: any Error)
    /// The query returns a column its header does not describe.
    case undescribedColumn(summary: String, path: String, column: String)
    /// The header describes (or keys on) a column the query does not return.
    case missingColumn(summary: String, path: String, column: String)
    /// The query returns a column twice.
    case duplicateColumn(summary: String, path: String, column: String)
    /// The query returns a binary float or money column, which cannot be exported exactly.
    case inexactColumn(summary: String, path: String, column: String, type: String)
    /// A value is not in the text form the export session asks Postgres for.
    case unexpectedValue(summary: String, column: String, type: String, value: String)
    /// The cursor returned other columns than the probe saw (the schema changed mid-export).
    case columnsChanged(summary: String, path: String)
    /// A key column is NULL: `chainetl import` could not upsert the row.
    case nullKey(summary: String, path: String, column: String)
    /// The provenance query (as-of blocks per chain) failed.
    case provenanceFailed(underlying: any Error)
    /// A file or directory operation failed.
    case fileSystem(operation: String, path: String, code: Int32)
    /// Writing a gzip NDJSON file failed.
    case compression(path: String, underlying: any Error)

    var description: String {
        switch self {
        case .queryMissing(let path):
            return "export query \(path) does not exist; check the summary name and sql_dir"
        case .queryUnreadable(let path, let underlying):
            return "cannot read export query \(path): \(underlying); check the summary name and sql_dir"
        case .queryHeader(let path, let line, let message):
            return "\(path):\(line): \(message); see docs/exports.md for the export query header"
        case .queryFailed(let summary, let path, let underlying):
            return "export query for summary \(summary) (\(path)) failed: \(underlying); "
                + "check that the migrations are applied and the query runs in psql"
        case .undescribedColumn(let summary, let path, let column):
            return "summary \(summary) returns column \(column) but \(path) has no '-- column \(column): …' line; "
                + "describe every column in the header"
        case .missingColumn(let summary, let path, let column):
            return "\(path) describes column \(column) but the summary \(summary) query does not return it; "
                + "fix the header or the SELECT list"
        case .duplicateColumn(let summary, let path, let column):
            return "summary \(summary) (\(path)) returns column \(column) twice; give each column its own name"
        case .inexactColumn(let summary, let path, let column, let type):
            return "summary \(summary) (\(path)) returns column \(column) as \(type), which is not exact; "
                + "cast it to numeric in the query"
        case .unexpectedValue(let summary, let column, let type, let value):
            let shown = value.count > 40 ? String(value.prefix(40)) + "…" : value
            return "summary \(summary), column \(column) (\(type)): unexpected value '\(shown)'; "
                + "the export session must run with TimeZone UTC and DateStyle ISO"
        case .columnsChanged(let summary, let path):
            return "summary \(summary) (\(path)) returned other columns than when it was planned; "
                + "a migration ran during the export, run it again"
        case .nullKey(let summary, let path, let column):
            return "summary \(summary) (\(path)) returns NULL in key column \(column); "
                + "key columns must never be NULL, coalesce it in the query"
        case .provenanceFailed(let underlying):
            return "cannot read the as-of blocks from transfers: \(underlying); check that the load stage ran"
        case .fileSystem(let operation, let path, let code):
            return "cannot \(operation) \(path): \(String(cString: strerror(code))); "
                + "check free space and permissions of the export root"
        case .compression(let path, let underlying):
            return "cannot write \(path): \(underlying); check free space of the export root"
        }
    }
}

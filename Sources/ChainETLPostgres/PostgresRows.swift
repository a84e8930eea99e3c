import CLibPQ

/// The rows of one statement's result, read lazily from libpq in text format.
///
/// `@unchecked Sendable`: a `PGresult` is immutable once created and libpq documents it as safe
/// to read from any thread; it is freed exactly once, when the last copy of the rows goes away.
public struct PostgresRows: @unchecked Sendable {
    private let storage: ResultStorage
    /// Column names in result order.
    public let columnNames: [String]
    /// Number of rows returned.
    public let count: Int
    /// Rows affected by INSERT/UPDATE/DELETE/MERGE/COPY/SELECT (from the command tag), if reported.
    public let affectedRows: Int?
    /// The command tag, e.g. `INSERT 0 5`: its first word is the verb of the statement's main
    /// command, also for a `WITH … INSERT` statement.
    public let commandTag: String

    init(result: OpaquePointer) {
        storage = ResultStorage(result)
        count = Int(PQntuples(result))
        columnNames = (0..<PQnfields(result)).map { String(cString: PQfname(result, $0)) }
        let tuples = PQcmdTuples(result).map { String(cString: $0) } ?? ""
        affectedRows = Int(tuples)
        commandTag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
    }

    /// The text value at (`row`, `column`), or nil for SQL NULL. Indexes are 0-based.
    public func value(row: Int, column: Int) -> String? {
        precondition(row >= 0 && row < count, "row \(row) out of range 0..<\(count)")
        precondition(column >= 0 && column < columnNames.count, "column \(column) out of range")
        let result = storage.result
        if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
        return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
    }

    /// The text value at `row` in the column named `column`, or nil for SQL NULL.
    public func value(row: Int, column: String) -> String? {
        guard let index = columnNames.firstIndex(of: column) else {
            preconditionFailure("no column named \(column) in \(columnNames)")
        }
        return value(row: row, column: index)
    }

    /// The value as an `Int`, nil for SQL NULL; throws if the text is not an integer in range.
    public func int(row: Int, column: Int) throws -> Int? {
        guard let text = value(row: row, column: column) else { return nil }
        guard let number = Int(text) else {
            throw PostgresError.unexpectedResult(
                statement: nil, message: "column \(columnNames[column]) holds \"\(text)\", not an integer")
        }
        return number
    }

    /// The value of the column named `column` as an `Int`, nil for SQL NULL.
    public func int(row: Int, column: String) throws -> Int? {
        guard let index = columnNames.firstIndex(of: column) else {
            preconditionFailure("no column named \(column) in \(columnNames)")
        }
        return try int(row: row, column: index)
    }

    /// The value as a `Bool` (`t`/`f`), nil for SQL NULL.
    public func bool(row: Int, column: Int) -> Bool? {
        value(row: row, column: column).map { $0 == "t" }
    }
}

/// Owns a `PGresult` and frees it once.
private final class ResultStorage {
    let result: OpaquePointer
    init(_ result: OpaquePointer) { self.result = result }
    deinit { PQclear(result) }
}

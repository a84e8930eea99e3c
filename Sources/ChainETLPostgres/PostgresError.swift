/// Every failure of the Postgres layer.
///
/// Descriptions never contain passwords or bound values: connection targets are redacted and
/// bound values are replaced by their placeholder (`$2`) wherever the server echoes them.
public enum PostgresError: Error, Sendable, CustomStringConvertible {
    /// The connection could not be opened; `target` is the redacted host/port/database/user.
    case connectionFailed(target: String, message: String)
    /// The database URL (or `key=value` string, or an option in it such as `sslmode`) cannot be
    /// parsed: a usage error (exit 2), not an unreachable server.
    case invalidConnectionString(source: String, message: String)
    /// The server rejected a statement.
    case server(
        sqlState: String, message: String, detail: String?, hint: String?, context: String?,
        statement: String, position: Int?)
    /// A `COPY … FROM STDIN` failed on the client side (the server error, if any, is `.server`).
    case copyFailed(statement: String, message: String)
    /// The connection broke (server shut down, backend terminated, network gone).
    case connectionLost(sqlState: String?, message: String, statement: String?)
    /// The connection was used after `close()`.
    case connectionClosed
    /// `transaction` was called while a transaction was already open on the connection.
    case nestedTransaction
    /// The transaction failed inside its body but the error was swallowed, so it was rolled back.
    case transactionAborted
    /// A bound value or statement text contains a NUL byte, which Postgres text cannot store.
    case invalidText(statement: String, parameter: Int?)
    /// The statement's result did not have the expected shape (column type, row count, protocol state).
    case unexpectedResult(statement: String?, message: String)
    /// The migrations directory could not be read.
    case migrationDirectoryUnreadable(path: String, message: String)
    /// Two migration files share a version number.
    case duplicateMigrationVersion(version: Int, names: [String])
    /// An applied migration's file no longer matches the checksum recorded when it was applied.
    case migrationEdited(name: String, appliedChecksum: String, currentChecksum: String)
    /// The database records a migration whose file does not exist in the migrations directory.
    case migrationMissing(name: String, directory: String)
    /// A migration's SQL failed; `line`/`column` locate the failing statement in the file when known.
    case migrationFailed(name: String, line: Int?, column: Int?, cause: String)
    /// A migration not recorded as applied failed because its objects already exist: the ledger
    /// (`schema_migrations`) and the schema disagree; the migration's SQL is not at fault.
    case migrationLedgerOutOfSync(name: String, cause: String)

    /// Whether the error is the user's input (a malformed database URL): exit 2, not 1.
    public var isUsageError: Bool {
        if case .invalidConnectionString = self { return true }
        return false
    }

    /// Whether a libpq connection failure message is about the connection string itself.
    static func isConnectionStringProblem(_ message: String) -> Bool {
        let text = message.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
        return text.hasPrefix("invalid ") || text.contains("connection info string") || text.contains(" uri")
            || text.hasPrefix("missing \"=\"") || text.contains("unterminated quoted string")
    }

    /// The SQLSTATE reported by the server, when there is one.
    public var sqlState: String? {
        switch self {
        case .server(let sqlState, _, _, _, _, _, _): sqlState
        case .connectionLost(let sqlState, _, _): sqlState
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .connectionFailed(let target, let message):
            return "could not connect to postgres (\(target)): \(message); check --database-url, "
                + "DATABASE_URL or the PG* variables and that the server is running"
        case .invalidConnectionString(let source, let message):
            return "the database URL (from \(source)) is not valid: \(message); write it as "
                + "postgresql://user@host:port/dbname?sslmode=require (sslmode is one of disable, allow, prefer, "
                + "require, verify-ca, verify-full) or as libpq key=value pairs"
        case .server(let sqlState, let message, let detail, let hint, let context, let statement, let position):
            var text = "database error \(sqlState): \(message)"
            if let detail { text += "; detail: \(detail)" }
            if let hint { text += "; hint: \(hint)" }
            if let context { text += "; context: \(context)" }
            text += "; statement: \(Self.abbreviated(statement))"
            if let position, let (line, column) = Self.lineAndColumn(of: position, in: statement) {
                text += " (at line \(line), column \(column))"
            }
            if let advice = Self.advice(forSQLState: sqlState) { text += "; \(advice)" }
            return text
        case .copyFailed(let statement, let message):
            return "copy failed: \(message); statement: \(Self.abbreviated(statement))"
        case .connectionLost(let sqlState, let message, let statement):
            var text = "connection to the database lost"
            if let sqlState { text += " (\(sqlState))" }
            text += ": \(message)"
            if let statement { text += "; statement: \(Self.abbreviated(statement))" }
            return text + "; rerun resumes from the checkpoint"
        case .connectionClosed:
            return "the postgres connection was already closed; open a new connection"
        case .nestedTransaction:
            return "a transaction is already open on this connection; nested transactions are not "
                + "supported, run the work inside the outer transaction"
        case .transactionAborted:
            return "the transaction failed earlier and was rolled back; do not swallow database errors "
                + "inside a transaction body"
        case .invalidText(let statement, let parameter):
            let what = parameter.map { "bound value $\($0)" } ?? "statement text"
            return "\(what) contains a NUL byte, which postgres text cannot store; statement: "
                + Self.abbreviated(statement)
        case .unexpectedResult(let statement, let message):
            guard let statement else { return "unexpected result: \(message)" }
            return "unexpected result: \(message); statement: \(Self.abbreviated(statement))"
        case .migrationDirectoryUnreadable(let path, let message):
            return "cannot read the migrations directory \(path): \(message); check the path"
        case .duplicateMigrationVersion(let version, let names):
            return "migration version \(version) is used by more than one file (\(names.joined(separator: ", "))); "
                + "give each migration a unique number"
        case .migrationEdited(let name, let appliedChecksum, let currentChecksum):
            return "migration \(name) was edited after it was applied (checksum \(appliedChecksum) applied, "
                + "\(currentChecksum) now); restore it and add a new migration instead"
        case .migrationMissing(let name, let directory):
            return "migration \(name) is applied in the database but missing from \(directory); restore "
                + "the file, or use the chainetl version that applied it"
        case .migrationFailed(let name, let line, let column, let cause):
            var location = name
            if let line { location += ":\(line)" }
            if let column { location += ":\(column)" }
            return "migration \(location) failed and was rolled back: \(cause); fix the migration and rerun"
        case .migrationLedgerOutOfSync(let name, let cause):
            return "migration \(name) is not recorded in schema_migrations, but what it creates already exists "
                + "(\(cause)): the migration ledger is out of sync with the schema (a restore or a hand edit "
                + "dropped its row); the migration itself is fine. Point --database-url at the database and "
                + "schema chainetl created, or, if this schema is already at \(name), record it with "
                + "`INSERT INTO schema_migrations (version, name, checksum) VALUES (…)` as the rows of the "
                + "earlier migrations show, then rerun"
        }
    }

    /// Extra advice for SQLSTATEs that usually mean the same operational problem.
    private static func advice(forSQLState sqlState: String) -> String? {
        switch sqlState {
        case "42P01", "42703", "42883":
            "the database schema may be out of date: run `chainetl migrate`"
        case "40001", "40P01":
            "a concurrent transaction conflicted; rerun"
        case "53100":
            "the database server is out of disk space; free space and rerun"
        default:
            nil
        }
    }

    /// Statements are long in migrations; keep descriptions readable.
    static func abbreviated(_ statement: String, limit: Int = 400) -> String {
        let collapsed = statement.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
            .joined(separator: " ")
        guard collapsed.count > limit else { return collapsed }
        return String(collapsed.prefix(limit)) + " …"
    }

    /// Converts the server's 1-based character position into a 1-based line and column.
    static func lineAndColumn(of position: Int, in text: String) -> (line: Int, column: Int)? {
        guard position >= 1 else { return nil }
        var line = 1
        var column = 1
        var index = 1
        for character in text.unicodeScalars {
            if index == position { return (line, column) }
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += 1
        }
        return index == position ? (line, column) : nil
    }
}

import CLibPQ
import Foundation
import Logging

/// One blocking libpq connection.
///
/// Not `Sendable`: libpq connections must not be used from two threads at once, so a connection
/// is created and used by one unit of work (one worker thread) at a time and closed by it.
public final class PostgresConnection {
    /// The `application_name` the server shows in `pg_stat_activity` (the runner puts its run id here).
    public let applicationName: String
    /// A password-free description of the server (`host=… port=… dbname=… user=…`).
    public let target: String
    let logger: Logger
    private var handle: OpaquePointer?
    private let noticeSink: NoticeSink

    private init(handle: OpaquePointer, applicationName: String, target: String, logger: Logger) {
        self.handle = handle
        self.applicationName = applicationName
        self.target = target
        self.logger = logger
        self.noticeSink = NoticeSink(logger: logger)
        // Without a processor libpq prints NOTICEs (e.g. "relation already exists, skipping") to stderr.
        PQsetNoticeProcessor(handle, noticeProcessor, Unmanaged.passUnretained(noticeSink).toOpaque())
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Opens a connection from `url`, else `DATABASE_URL`, else libpq's own `PG*` variables.
    ///
    /// `url` may be a `postgresql://` URL or a libpq `key=value` string. `applicationName` is set on
    /// the session so a lock holder can be named.
    public static func connect(url: String?, applicationName: String, logger: Logger) throws -> PostgresConnection {
        try connect(
            url: url, applicationName: applicationName, logger: logger,
            environment: ProcessInfo.processInfo.environment)
    }

    /// `connect` with an explicit environment (tests use it to exercise the `PG*` fallback).
    static func connect(
        url: String?, applicationName: String, logger: Logger, environment: [String: String]
    ) throws -> PostgresConnection {
        let resolved = ConnectionTarget.resolve(url: url, environment: environment)
        // Later keywords override earlier ones: a connect_timeout in the URL or PGCONNECT_TIMEOUT
        // wins over our default, and our application_name wins over one in the URL.
        var keywords = [String]()
        var values = [String]()
        if environment["PGCONNECT_TIMEOUT"] == nil {
            keywords.append("connect_timeout")
            values.append("10")
        }
        if !resolved.conninfo.isEmpty {
            keywords.append("dbname")
            values.append(resolved.conninfo)
        }
        keywords.append("application_name")
        values.append(applicationName)
        keywords.append("client_encoding")
        values.append("UTF8")

        let handle = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let handle else {
            throw PostgresError.connectionFailed(
                target: "from \(resolved.source.rawValue)", message: "libpq could not allocate a connection")
        }
        let target = describe(handle, source: resolved.source)
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = resolved.redact(errorMessage(of: handle))
            PQfinish(handle)
            logger.debug(
                "postgres connection failed",
                metadata: ["db.target": "\(resolved.redact(target))", "db.source": "\(resolved.source.rawValue)"])
            if PostgresError.isConnectionStringProblem(message) {
                throw PostgresError.invalidConnectionString(source: resolved.source.rawValue, message: message)
            }
            throw PostgresError.connectionFailed(target: resolved.redact(target), message: message)
        }
        let connection = PostgresConnection(
            handle: handle, applicationName: applicationName, target: resolved.redact(target), logger: logger)
        logger.debug(
            "postgres connected",
            metadata: [
                "db.target": "\(connection.target)", "db.source": "\(resolved.source.rawValue)",
                "db.backend_pid": "\(connection.backendPID)",
            ])
        return connection
    }

    /// Closes the connection; later calls fail with `connectionClosed`. Idempotent.
    public func close() {
        guard let handle else { return }
        PQfinish(handle)
        self.handle = nil
    }

    /// Whether `close()` was called.
    public var isClosed: Bool { handle == nil }

    /// The server process id serving this connection (as in `pg_stat_activity.pid`).
    public var backendPID: Int {
        guard let handle else { return 0 }
        return Int(PQbackendPID(handle))
    }

    /// Runs one statement with its bound values and returns its rows (text format).
    @discardableResult
    public func execute(_ query: SQLQuery) throws -> PostgresRows {
        let handle = try openHandle()
        try query.validate()
        let started = ContinuousClock.now
        let result: OpaquePointer? =
            if query.encodedBindings.isEmpty {
                PQexecParams(handle, query.sql, 0, nil, nil, nil, nil, 0)
            } else {
                withOptionalCStringArray(query.encodedBindings) { values in
                    let types = query.parameterTypes.map(\.rawValue)
                    return types.isEmpty
                        ? PQexecParams(handle, query.sql, Int32(values.count), nil, values, nil, nil, 0)
                        : PQexecParams(handle, query.sql, Int32(values.count), types, values, nil, nil, 0)
                }
            }
        let rows = try checkedRows(result, statement: query.sql, bindings: query.encodedBindings)
        logger.trace(
            "postgres statement",
            metadata: [
                "db.statement": "\(PostgresError.abbreviated(query.sql, limit: 200))",
                "duration.ms": "\((ContinuousClock.now - started).milliseconds)",
            ])
        return rows
    }

    /// Runs a multi-statement script (a migration file) with no bound values.
    public func executeScript(unsafeSQL sql: String) throws {
        let handle = try openHandle()
        try SQLQuery(unsafeSQL: sql).validate()
        _ = try checkedRows(PQexec(handle, sql), statement: sql, bindings: [])
    }

    /// Runs `body` inside `BEGIN … COMMIT`; rolls back and rethrows if `body` throws.
    ///
    /// Nested calls throw `nestedTransaction`. If a statement failed inside `body` and the error
    /// was swallowed, the commit becomes a rollback and `transactionAborted` is thrown.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let handle = try openHandle()
        guard PQtransactionStatus(handle) == PQTRANS_IDLE else { throw PostgresError.nestedTransaction }
        try execute(SQLQuery(unsafeSQL: "BEGIN"))
        let value: T
        do {
            value = try body()
        } catch {
            rollbackQuietly()
            throw error
        }
        if let handle = self.handle, PQtransactionStatus(handle) == PQTRANS_INERROR {
            rollbackQuietly()
            throw PostgresError.transactionAborted
        }
        try execute(SQLQuery(unsafeSQL: "COMMIT"))
        return value
    }

    /// Whether a transaction is open on this connection.
    public var isInTransaction: Bool {
        guard let handle else { return false }
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    private func rollbackQuietly() {
        guard let handle, PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) != PQTRANS_IDLE else {
            return
        }
        do {
            try execute(SQLQuery(unsafeSQL: "ROLLBACK"))
        } catch {
            logger.warning("postgres rollback failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - Internals shared with COPY

    func openHandle() throws -> OpaquePointer {
        guard let handle else { throw PostgresError.connectionClosed }
        return handle
    }

    /// Turns a finished result into rows, or into the matching `PostgresError` (and frees it).
    func checkedRows(_ result: OpaquePointer?, statement: String, bindings: [String?]) throws -> PostgresRows {
        let handle = try openHandle()
        guard let result else {
            throw connectionError(handle: handle, result: nil, statement: statement, bindings: bindings)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(result: result)
        case PGRES_COPY_IN:
            PQclear(result)
            PQputCopyEnd(handle, "chainetl: COPY must go through copyIn")
            drainResults(handle)
            throw PostgresError.unexpectedResult(
                statement: statement, message: "COPY FROM STDIN must be run with copyIn")
        case PGRES_COPY_OUT, PGRES_COPY_BOTH:
            PQclear(result)
            var buffer: UnsafeMutablePointer<CChar>?
            while PQgetCopyData(handle, &buffer, 0) > 0 {
                if let buffer { PQfreemem(buffer) }
                buffer = nil
            }
            drainResults(handle)
            throw PostgresError.unexpectedResult(statement: statement, message: "COPY TO STDOUT is not supported")
        default:
            let error = connectionError(handle: handle, result: result, statement: statement, bindings: bindings)
            PQclear(result)
            throw error
        }
    }

    /// Reads and frees the remaining results of the current command; returns the first error.
    @discardableResult
    func drainResults(_ handle: OpaquePointer, statement: String = "", bindings: [String?] = []) -> PostgresError? {
        var firstError: PostgresError?
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            if status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR,
                firstError == nil
            {
                firstError = connectionError(handle: handle, result: result, statement: statement, bindings: bindings)
            }
            PQclear(result)
            if PQstatus(handle) == CONNECTION_BAD { break }
        }
        return firstError
    }

    /// Maps a failed result (or a missing one) to `server` or `connectionLost`, masking bound values.
    func connectionError(handle: OpaquePointer, result: OpaquePointer?, statement: String, bindings: [String?])
        -> PostgresError
    {
        func field(_ code: Int32) -> String? {
            guard let result, let value = PQresultErrorField(result, code) else { return nil }
            let text = Redaction.maskingBoundValues(in: String(cString: value), bindings: bindings)
            return text.isEmpty ? nil : text
        }
        let sqlState = field(Int32(UInt8(ascii: "C")))  // PG_DIAG_SQLSTATE
        let message =
            field(Int32(UInt8(ascii: "M")))  // PG_DIAG_MESSAGE_PRIMARY
            ?? Redaction.maskingBoundValues(in: Self.errorMessage(of: handle), bindings: bindings)
        let lostStates: Set<String> = ["57P01", "57P02", "57P03"]
        if PQstatus(handle) == CONNECTION_BAD || sqlState.map({ lostStates.contains($0) || $0.hasPrefix("08") }) == true
            || (sqlState == nil && result == nil) || (sqlState == nil && Self.isClientSideConnectionLoss(message))
        {
            logger.debug("postgres connection lost", metadata: ["db.sqlstate": "\(sqlState ?? "none")"])
            return .connectionLost(sqlState: sqlState, message: message, statement: statement.isEmpty ? nil : statement)
        }
        return .server(
            sqlState: sqlState ?? "XX000",
            message: message,
            detail: field(Int32(UInt8(ascii: "D"))),  // PG_DIAG_MESSAGE_DETAIL
            hint: field(Int32(UInt8(ascii: "H"))),  // PG_DIAG_MESSAGE_HINT
            context: field(Int32(UInt8(ascii: "W"))).map(Self.withoutCopyValues),  // PG_DIAG_CONTEXT
            statement: statement,
            position: field(Int32(UInt8(ascii: "P"))).flatMap { Int($0) })  // PG_DIAG_STATEMENT_POSITION
    }

    /// Whether a libpq error without SQLSTATE (raised by the client, not the server) says the
    /// connection broke; such errors were once labelled `XX000` as if the server had reported them.
    static func isClientSideConnectionLoss(_ message: String) -> Bool {
        let text = message.lowercased()
        let phrases = [
            "server closed the connection", "no connection to the server", "could not receive data from server",
            "could not send data to server", "connection to server was lost", "ssl syscall error",
            "ssl connection has been closed", "eof detected", "lost synchronization with server",
            "terminating connection", "connection reset", "broken pipe",
        ]
        return phrases.contains { text.contains($0) }
    }

    /// COPY contexts end with the offending column value (`…, column v: "data"`); keep the line only.
    private static func withoutCopyValues(_ context: String) -> String {
        context.split(separator: "\n", omittingEmptySubsequences: true).map { line -> Substring in
            guard line.hasPrefix("COPY "), line.contains(", column "), let colon = line.lastIndex(of: ":") else {
                return line
            }
            return line[..<colon]
        }.joined(separator: "; ")
    }

    static func errorMessage(of handle: OpaquePointer) -> String {
        guard let message = PQerrorMessage(handle) else { return "unknown libpq error" }
        // libpq messages are multi-line with tab-indented continuations; make them one line.
        let lines = String(cString: message).split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.isEmpty ? "unknown libpq error" : lines.joined(separator: "; ")
    }

    /// `host=… port=… dbname=… user=…` as libpq resolved them; never the password.
    private static func describe(_ handle: OpaquePointer, source: ConnectionTarget.Source) -> String {
        func value(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
            guard let pointer else { return nil }
            let text = String(cString: pointer)
            return text.isEmpty ? nil : text
        }
        var parts = [String]()
        if let host = value(PQhost(handle)) { parts.append("host=\(host)") }
        if let port = value(PQport(handle)) { parts.append("port=\(port)") }
        if let database = value(PQdb(handle)) { parts.append("dbname=\(database)") }
        if let user = value(PQuser(handle)) { parts.append("user=\(user)") }
        parts.append("from \(source.rawValue)")
        return parts.joined(separator: " ")
    }
}

/// Receives server NOTICEs for one connection and logs them instead of printing to stderr.
private final class NoticeSink {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }
}

private func noticeProcessor(_ context: UnsafeMutableRawPointer?, _ message: UnsafePointer<CChar>?) {
    guard let context, let message else { return }
    let sink = Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue()
    let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    sink.logger.debug("postgres notice", metadata: ["db.notice": "\(text)"])
}

/// Calls `body` with a NULL-terminated array of C strings that live for the duration of the call.
private func withCStringArray<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { for copy in copies { free(copy) } }
    return body(copies.map { UnsafePointer($0) } + [nil])
}

/// Like `withCStringArray` but nil elements stay NULL and there is no terminator.
private func withOptionalCStringArray<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { $0.map { strdup($0) } ?? nil }
    defer { for copy in copies { free(copy) } }
    return body(copies.map { UnsafePointer($0) })
}

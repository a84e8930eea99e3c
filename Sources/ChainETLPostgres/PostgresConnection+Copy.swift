import CLibPQ

extension PostgresConnection {
    /// Streams rows into `COPY … FROM STDIN` and returns the rows the server copied.
    ///
    /// `query` must be a `COPY … FROM STDIN` statement built with `SQLQuery(unsafeSQL:)` and
    /// `SQLIdentifier` (COPY takes no bound values), in `format` (`WITH (FORMAT binary)` for
    /// `.binary`). With `sendOnThread`, full buffers are sent by a thread of their own while `body`
    /// fills the next one (`PostgresCopySender`). If `body` throws, the COPY is aborted on the
    /// server (no rows are kept) and the body's error is rethrown.
    public func copyIn(
        _ query: SQLQuery, format: PostgresCopyFormat = .text, sendOnThread: Bool = false,
        _ body: (inout PostgresCopyWriter) throws -> Void
    ) throws -> Int {
        let handle = try openHandle()
        guard query.encodedBindings.isEmpty else {
            throw PostgresError.copyFailed(
                statement: query.sql,
                message: "COPY cannot take bound values; build it with SQLIdentifier and SQLQuery(unsafeSQL:)")
        }
        try query.validate()
        let started = ContinuousClock.now
        guard let start = PQexec(handle, query.sql) else {
            throw connectionError(handle: handle, result: nil, statement: query.sql, bindings: [])
        }
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            _ = try checkedRows(start, statement: query.sql, bindings: [])
            throw PostgresError.copyFailed(statement: query.sql, message: "the statement is not COPY … FROM STDIN")
        }
        let binary = PQbinaryTuples(start) == 1
        PQclear(start)
        guard binary == (format == .binary) else {
            PQputCopyEnd(handle, "wrong COPY format")
            drainResults(handle)
            throw PostgresError.copyFailed(
                statement: query.sql, message: "the statement's COPY format is not the writer's (\(format))")
        }

        var writer = PostgresCopyWriter(
            handle: handle, statement: query.sql, format: format, sendOnThread: sendOnThread)
        do {
            try body(&writer)
            try writer.finish()
        } catch {
            writer.stopSending()
            // The server discards everything sent so far and answers with 57014 (query canceled).
            PQputCopyEnd(handle, "aborted by the client")
            let serverError = drainResults(handle, statement: query.sql)
            if let transportError = writer.transportError {
                // libpq refused data because the server already failed the COPY: report its reason.
                throw serverError ?? transportError
            }
            logger.debug("postgres copy aborted", metadata: ["rows.count": "\(writer.rowsWritten)"])
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else {
            let error =
                drainResults(handle, statement: query.sql)
                ?? .copyFailed(statement: query.sql, message: Self.errorMessage(of: handle))
            throw error
        }
        guard let final = PQgetResult(handle) else {
            throw connectionError(handle: handle, result: nil, statement: query.sql, bindings: [])
        }
        guard PQresultStatus(final) == PGRES_COMMAND_OK else {
            let error = connectionError(handle: handle, result: final, statement: query.sql, bindings: [])
            PQclear(final)
            drainResults(handle)
            throw error
        }
        let copied = PQcmdTuples(final).flatMap { Int(String(cString: $0)) } ?? writer.rowsWritten
        PQclear(final)
        drainResults(handle)
        logger.debug(
            "postgres copy finished",
            metadata: [
                "rows.count": "\(copied)",
                "duration.ms": "\((ContinuousClock.now - started).milliseconds)",
            ])
        return copied
    }
}

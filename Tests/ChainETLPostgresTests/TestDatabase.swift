import Foundation
import Logging
import Testing

@testable import ChainETLPostgres

/// A connection to the test server (DATABASE_URL from `.ci/with-postgres`) inside a private schema.
///
/// Each test gets its own schema on its search_path, so tests run in parallel without sharing tables.
final class TestDatabase {
    let connection: PostgresConnection
    let schema: String

    init(applicationName: String = "chainetl-test", schema: String? = nil) throws {
        connection = try TestDatabase.connect(applicationName: applicationName)
        self.schema = schema ?? "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try connection.execute(SQLQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(SQLIdentifier.quote(self.schema))"))
        try TestDatabase.use(schema: self.schema, on: connection)
    }

    deinit {
        if !connection.isClosed {
            _ = try? connection.execute(SQLQuery(unsafeSQL: "DROP SCHEMA \(SQLIdentifier.quote(schema)) CASCADE"))
        }
        connection.close()
    }

    static var logger: Logger {
        var logger = Logger(label: "chainetl.postgres.tests")
        logger.logLevel = .warning
        return logger
    }

    static func databaseURL() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["DATABASE_URL"],
            "DATABASE_URL is not set: run the tests through .ci/with-postgres or make test")
    }

    /// A new plain connection (no private schema).
    static func connect(applicationName: String = "chainetl-test") throws -> PostgresConnection {
        try PostgresConnection.connect(url: databaseURL(), applicationName: applicationName, logger: logger)
    }

    static func use(schema: String, on connection: PostgresConnection) throws {
        try connection.execute(SQLQuery(unsafeSQL: "SET search_path TO \(SQLIdentifier.quote(schema))"))
    }

    /// The single value of a one-row, one-column query.
    func scalar(_ sql: String, _ bindings: [(any PostgresBindable)?] = []) throws -> String? {
        let rows = try connection.execute(SQLQuery(sql, bindings))
        try #require(rows.count == 1)
        return rows.value(row: 0, column: 0)
    }

    func count(_ table: String) throws -> Int {
        let rows = try connection.execute(SQLQuery(unsafeSQL: "SELECT count(*) FROM \(SQLIdentifier.quote(table))"))
        return try #require(try rows.int(row: 0, column: 0))
    }
}

/// Captures the error a throwing call produced, failing the test if it did not throw.
func expectPostgresError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) throws
    -> PostgresError
{
    do {
        try body()
    } catch let error as PostgresError {
        return error
    } catch {
        Issue.record("expected a PostgresError, got \(error)", sourceLocation: sourceLocation)
        throw error
    }
    Issue.record("expected a PostgresError, nothing was thrown", sourceLocation: sourceLocation)
    throw TestFailure.didNotThrow
}

enum TestFailure: Error {
    case didNotThrow
    case bodyFailure
}

import Foundation
import Testing

@testable import ChainETLPostgres

@Suite("PostgresConnection against the real server")
struct PostgresConnectionTests {
    @Test func connectsThroughTheURLAndSetsTheApplicationName() throws {
        let connection = try PostgresConnection.connect(
            url: TestDatabase.databaseURL(), applicationName: "run-2026-11-21-abc", logger: TestDatabase.logger)
        defer { connection.close() }
        let rows = try connection.execute(SQLQuery("SELECT current_setting('application_name'), pg_backend_pid()"))
        #expect(rows.value(row: 0, column: 0) == "run-2026-11-21-abc")
        #expect(try rows.int(row: 0, column: 1) == connection.backendPID)
        #expect(connection.target.contains("from --database-url"))
    }

    @Test func fallsBackToLibpqPGVariablesWithoutAURL() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = nil
        let database = try #require(environment["PGDATABASE"], "PGDATABASE is set by .ci/with-postgres")
        let connection = try PostgresConnection.connect(
            url: nil, applicationName: "pg-env", logger: TestDatabase.logger, environment: environment)
        defer { connection.close() }
        let rows = try connection.execute(SQLQuery("SELECT current_database()"))
        #expect(rows.value(row: 0, column: 0) == database)
        #expect(connection.target.contains("from PG* variables"))
    }

    @Test func prefersTheArgumentOverDATABASE_URL() throws {
        let environment = ["DATABASE_URL": "postgresql://nobody@/nowhere?host=/nonexistent-socket-dir"]
        let connection = try PostgresConnection.connect(
            url: TestDatabase.databaseURL(), applicationName: "arg", logger: TestDatabase.logger,
            environment: environment)
        connection.close()
        #expect(connection.isClosed)
        let error = try expectPostgresError {
            _ = try connection.execute(SQLQuery("SELECT 1"))
        }
        guard case .connectionClosed = error else {
            Issue.record("expected connectionClosed, got \(error)")
            return
        }
    }

    @Test func connectionFailureNeverShowsThePassword() throws {
        let error = try expectPostgresError {
            _ = try PostgresConnection.connect(
                url: "postgresql://alice:hunter2secret@/chainetl?host=/nonexistent-socket-dir&port=1",
                applicationName: "x", logger: TestDatabase.logger)
        }
        guard case .connectionFailed = error else {
            Issue.record("expected connectionFailed, got \(error)")
            return
        }
        #expect(!error.description.contains("hunter2secret"))
        #expect(error.description.hasPrefix("could not connect to postgres"))
        #expect(error.description.contains("/nonexistent-socket-dir"))
        #expect(error.description.contains("user=alice"))
    }

    @Test func roundTripsBoundValuesIncludingNullUnicodeAndHugeNumerics() throws {
        let database = try TestDatabase()
        let maxUInt256 = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        let when = Date(timeIntervalSince1970: 1_795_651_212.5)
        let missing: Int? = nil
        try database.connection.execute(
            SQLQuery(
                unsafeSQL: """
                    CREATE TABLE values_test (amount numeric(78,0), label text, note text, flag boolean,
                      big bigint, ratio double precision, at timestamptz, raw bytea, maybe integer)
                    """))
        let insert = try database.connection.execute(
            SQLQuery(
                "INSERT INTO values_test VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                [
                    maxUInt256, "Grüße 🚀 中文\t\"quoted\"\n'x'", .null, true, Int64.max, 0.125, when,
                    [0, 255, 92] as [UInt8], missing,
                ]))
        #expect(insert.affectedRows == 1)
        #expect(insert.commandTag == "INSERT 0 1")
        // The tag names the main command, also behind a data-modifying CTE.
        let withInsert = try database.connection.execute(
            SQLQuery(
                unsafeSQL: """
                    WITH gone AS (DELETE FROM values_test WHERE false RETURNING label)
                    INSERT INTO values_test (label) SELECT 'a' UNION ALL SELECT 'b'
                    """))
        #expect(withInsert.commandTag == "INSERT 0 2")
        #expect(withInsert.affectedRows == 2)
        try database.connection.execute(SQLQuery(unsafeSQL: "DELETE FROM values_test WHERE amount IS NULL"))
        let rows = try database.connection.execute(
            SQLQuery(
                """
                SELECT amount, label, note, flag, big, ratio, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS'),
                       encode(raw, 'hex'), maybe, amount = $1::numeric
                FROM values_test
                """, [maxUInt256]))
        #expect(rows.count == 1)
        #expect(rows.columnNames.first == "amount")
        #expect(rows.value(row: 0, column: "amount") == maxUInt256)
        #expect(rows.value(row: 0, column: 1) == "Grüße 🚀 中文\t\"quoted\"\n'x'")
        #expect(rows.value(row: 0, column: 2) == nil)
        #expect(rows.bool(row: 0, column: 3) == true)
        #expect(rows.value(row: 0, column: 4) == "9223372036854775807")
        #expect(rows.value(row: 0, column: 5) == "0.125")
        #expect(rows.value(row: 0, column: 6) == "2026-11-26 00:00:12.500")
        #expect(rows.value(row: 0, column: 7) == "00ff5c")
        #expect(try rows.int(row: 0, column: 8) == nil)
        #expect(rows.bool(row: 0, column: 9) == true)
        let overflow = try expectPostgresError {
            try database.connection.execute(
                SQLQuery("INSERT INTO values_test (amount) VALUES ($1)", [maxUInt256 + "0"]))
        }
        #expect(overflow.sqlState == "22003")
    }

    @Test func mapsAMissingTableTo42P01WithTheStatement() throws {
        let database = try TestDatabase()
        let error = try expectPostgresError {
            try database.connection.execute(SQLQuery("SELECT * FROM no_such_table WHERE id = $1", [1]))
        }
        #expect(error.sqlState == "42P01")
        #expect(error.description.contains("database error 42P01"))
        #expect(error.description.contains("relation \"no_such_table\" does not exist"))
        #expect(error.description.contains("statement: SELECT * FROM no_such_table WHERE id = $1"))
        #expect(error.description.contains("line 1, column 15"))
        #expect(error.description.contains("run `chainetl migrate`"))
    }

    @Test func mapsUniqueViolationsWithoutBoundValues() throws {
        let database = try TestDatabase()
        let secret = "sk-live-9f8e7d6c5b4a"
        try database.connection.execute(SQLQuery(unsafeSQL: "CREATE TABLE api_keys (key text PRIMARY KEY, owner text)"))
        let insert = SQLQuery("INSERT INTO api_keys (key, owner) VALUES ($1, $2)", [secret, "ops"])
        try database.connection.execute(insert)
        let error = try expectPostgresError { try database.connection.execute(insert) }
        #expect(error.sqlState == "23505")
        #expect(error.description.contains("INSERT INTO api_keys (key, owner) VALUES ($1, $2)"))
        #expect(error.description.contains("Key (key)=($1) already exists"))
        #expect(!error.description.contains(secret))
        #expect(!"\(error)".contains(secret))

        let badInput = try expectPostgresError {
            try database.connection.execute(SQLQuery("SELECT $1::integer", [secret]))
        }
        #expect(badInput.sqlState == "22P02")
        #expect(!badInput.description.contains(secret))
    }

    @Test func rollsBackATransactionWhenTheBodyThrows() throws {
        let database = try TestDatabase()
        let connection = database.connection
        try connection.execute(SQLQuery(unsafeSQL: "CREATE TABLE ledger (n integer PRIMARY KEY)"))
        #expect(throws: TestFailure.bodyFailure) {
            try connection.transaction {
                try connection.execute(SQLQuery("INSERT INTO ledger VALUES ($1)", [1]))
                throw TestFailure.bodyFailure
            }
        }
        #expect(try database.count("ledger") == 0)
        #expect(!connection.isInTransaction)

        let value = try connection.transaction { () throws -> Int in
            try connection.execute(SQLQuery("INSERT INTO ledger VALUES ($1), ($2)", [1, 2]))
            return 42
        }
        #expect(value == 42)
        #expect(try database.count("ledger") == 2)

        let nested = try expectPostgresError {
            try connection.transaction { try connection.transaction {} }
        }
        guard case .nestedTransaction = nested else {
            Issue.record("expected nestedTransaction, got \(nested)")
            return
        }
        let swallowed = try expectPostgresError {
            try connection.transaction {
                try connection.execute(SQLQuery("INSERT INTO ledger VALUES ($1)", [3]))
                _ = try? connection.execute(SQLQuery("INSERT INTO ledger VALUES ($1)", [1]))
            }
        }
        guard case .transactionAborted = swallowed else {
            Issue.record("expected transactionAborted, got \(swallowed)")
            return
        }
        #expect(try database.count("ledger") == 2)
    }

    @Test func runsMultiStatementScripts() throws {
        let database = try TestDatabase()
        try database.connection.executeScript(
            unsafeSQL: """
                CREATE TABLE a (n integer);
                INSERT INTO a VALUES (1), (2);
                CREATE TABLE IF NOT EXISTS a (n integer); -- a NOTICE, routed to the logger
                """)
        #expect(try database.count("a") == 2)
    }

    @Test func refusesNulBytesInsteadOfTruncating() throws {
        let database = try TestDatabase()
        let error = try expectPostgresError {
            try database.connection.execute(SQLQuery("SELECT $1::text", ["before\u{0}after"]))
        }
        #expect(error.description.contains("bound value $1 contains a NUL byte"))
    }

    @Test func reportsALostConnectionAsTheDatabaseGoingAway() throws {
        let database = try TestDatabase()
        let killer = try TestDatabase.connect(applicationName: "killer")
        defer { killer.close() }
        let terminated = try killer.execute(
            SQLQuery("SELECT pg_terminate_backend($1)", [database.connection.backendPID]))
        #expect(terminated.bool(row: 0, column: 0) == true)
        let error = try expectPostgresError {
            try database.connection.execute(SQLQuery("SELECT 1"))
        }
        guard case .connectionLost = error else {
            Issue.record("expected connectionLost, got \(error)")
            return
        }
        #expect(error.description.hasPrefix("connection to the database lost"))
        #expect(error.description.hasSuffix("rerun resumes from the checkpoint"))
        try killer.execute(SQLQuery(unsafeSQL: "DROP SCHEMA \(SQLIdentifier.quote(database.schema)) CASCADE"))
    }

    /// libpq raises these itself, without a SQLSTATE; they were shown as server error `XX000`.
    @Test(arguments: [
        "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally",
        "no connection to the server",
        "could not receive data from server: Connection reset by peer",
        "SSL SYSCALL error: EOF detected",
    ])
    func clientSideConnectionErrorsAreAConnectionLoss(message: String) {
        #expect(PostgresConnection.isClientSideConnectionLoss(message))
        let error = PostgresError.connectionLost(sqlState: nil, message: message, statement: "SELECT 1")
        #expect(error.description.hasPrefix("connection to the database lost: "))
        #expect(!error.description.contains("XX000"))
    }

    @Test func otherClientSideErrorsAreNotAConnectionLoss() {
        #expect(!PostgresConnection.isClientSideConnectionLoss("out of memory"))
        #expect(!PostgresConnection.isClientSideConnectionLoss("another command is already in progress"))
    }

    @Test(arguments: [
        "postgresql://localhost/db?sslmode=bogus", "postgresql://localhost/db?nosuchoption=1", "host=localhost port",
    ])
    func anUnparsableDatabaseURLIsAUsageError(url: String) throws {
        let error = try expectPostgresError {
            _ = try PostgresConnection.connect(url: url, applicationName: "t", logger: TestDatabase.logger)
        }
        guard case .invalidConnectionString = error else {
            Issue.record("expected invalidConnectionString, got \(error)")
            return
        }
        #expect(error.isUsageError)
        #expect(error.description.hasPrefix("the database URL (from --database-url) is not valid: "))
    }
}

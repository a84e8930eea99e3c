import Foundation
import Testing

@testable import ChainETLPostgres

@Suite("Migrator against the real server")
struct MigratorTests {
    /// A temporary migrations directory holding `files`.
    private static func directory(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, sql) in files {
            try sql.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return url
    }

    private static let orderedFiles = [
        "0010_third.sql": "INSERT INTO applied_order (name) VALUES ('third');",
        "0002_second.sql": "INSERT INTO applied_order (name) VALUES ('second');",
        "0001_first.sql": "CREATE TABLE applied_order (seq serial PRIMARY KEY, name text NOT NULL);",
        "README.md": "not a migration",
        "0003_Upper.sql": "this is ignored, not valid SQL",
        "3_short.sql": "this is ignored, not valid SQL",
    ]

    @Test func appliesPendingMigrationsInVersionOrderOnce() throws {
        let database = try TestDatabase()
        let directory = try Self.directory(Self.orderedFiles)
        defer { try? FileManager.default.removeItem(at: directory) }
        let migrator = Migrator(directory: directory)

        #expect(try migrator.pending(database.connection) == ["0001_first.sql", "0002_second.sql", "0010_third.sql"])
        let applied = try migrator.migrate(database.connection)
        #expect(applied == ["0001_first.sql", "0002_second.sql", "0010_third.sql"])
        let order = try database.connection.execute(SQLQuery("SELECT name FROM applied_order ORDER BY seq"))
        #expect((0..<order.count).map { order.value(row: $0, column: 0) } == ["second", "third"])
        let recorded = try database.connection.execute(
            SQLQuery("SELECT version, name, checksum FROM schema_migrations ORDER BY version"))
        #expect(recorded.count == 3)
        #expect(recorded.value(row: 2, column: 1) == "0010_third.sql")
        #expect(recorded.value(row: 0, column: 2)?.count == 64)

        #expect(try migrator.migrate(database.connection) == [])
        #expect(try migrator.pending(database.connection) == [])
        #expect(try database.count("applied_order") == 2)

        try "INSERT INTO applied_order (name) VALUES ('fourth');"
            .write(to: directory.appendingPathComponent("0011_fourth.sql"), atomically: true, encoding: .utf8)
        #expect(try migrator.pending(database.connection) == ["0011_fourth.sql"])
        #expect(try migrator.migrate(database.connection) == ["0011_fourth.sql"])
    }

    @Test func refusesAnEditedOrMissingAppliedMigration() throws {
        let database = try TestDatabase()
        let directory = try Self.directory([
            "0001_first.sql": "CREATE TABLE t (n integer);",
            "0002_transfers.sql": "ALTER TABLE t ADD COLUMN m integer;",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let migrator = Migrator(directory: directory)
        try migrator.migrate(database.connection)

        try "ALTER TABLE t ADD COLUMN m bigint;"
            .write(to: directory.appendingPathComponent("0002_transfers.sql"), atomically: true, encoding: .utf8)
        try "CREATE TABLE u (n integer);"
            .write(to: directory.appendingPathComponent("0003_more.sql"), atomically: true, encoding: .utf8)
        let edited = try expectPostgresError { try migrator.migrate(database.connection) }
        guard case .migrationEdited(let name, _, _) = edited else {
            Issue.record("expected migrationEdited, got \(edited)")
            return
        }
        #expect(name == "0002_transfers.sql")
        #expect(edited.description.hasPrefix("migration 0002_transfers.sql was edited after it was applied (checksum "))
        #expect(edited.description.hasSuffix("restore it and add a new migration instead"))
        #expect(try database.scalar("SELECT to_regclass('u') IS NULL") == "t", "nothing new is applied")
        _ = try expectPostgresError { _ = try migrator.pending(database.connection) }

        try FileManager.default.removeItem(at: directory.appendingPathComponent("0002_transfers.sql"))
        let missing = try expectPostgresError { try migrator.migrate(database.connection) }
        guard case .migrationMissing(let missingName, _) = missing else {
            Issue.record("expected migrationMissing, got \(missing)")
            return
        }
        #expect(missingName == "0002_transfers.sql")
    }

    @Test func rollsBackAFailedMigrationAndNamesItsLine() throws {
        let database = try TestDatabase()
        let directory = try Self.directory([
            "0001_first.sql": "CREATE TABLE t (n integer);",
            "0002_broken.sql": "CREATE TABLE half (n integer);\nINSERT INTO t VALUES (1);\nSELEC broken;\n",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try expectPostgresError { try Migrator(directory: directory).migrate(database.connection) }
        #expect(error.description.hasPrefix("migration 0002_broken.sql:3:1 failed and was rolled back: 42601"))
        #expect(try database.scalar("SELECT to_regclass('half') IS NULL") == "t")
        #expect(try database.count("t") == 0)
        #expect(try database.scalar("SELECT string_agg(name, ',') FROM schema_migrations") == "0001_first.sql")
    }

    @Test func aMigrationLedgerOutOfSyncSaysSoInsteadOfBlamingTheMigration() throws {
        let database = try TestDatabase()
        let directory = try Self.directory(["0001_first.sql": "CREATE TABLE t (n integer);"])
        defer { try? FileManager.default.removeItem(at: directory) }
        try Migrator(directory: directory).migrate(database.connection)
        // A restore without schema_migrations' rows, or a hand edit.
        try database.connection.execute(SQLQuery("DELETE FROM schema_migrations"))
        let error = try expectPostgresError { try Migrator(directory: directory).migrate(database.connection) }
        guard case .migrationLedgerOutOfSync(let name, let cause) = error else {
            Issue.record("expected migrationLedgerOutOfSync, got \(error)")
            return
        }
        #expect(name == "0001_first.sql")
        #expect(cause.hasPrefix("42P07"))
        #expect(error.description.contains("the migration ledger is out of sync with the schema"))
        #expect(error.description.contains("the migration itself is fine"))
        #expect(!error.description.contains("fix the migration"))
    }

    @Test func refusesDuplicateVersions() throws {
        let directory = try Self.directory(["0001_a.sql": "SELECT 1;", "0001_b.sql": "SELECT 2;"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try expectPostgresError { _ = try Migrator(directory: directory).migrations() }
        #expect(
            error.description.contains("migration version 1 is used by more than one file (0001_a.sql, 0001_b.sql)"))
    }

    @Test func serializesConcurrentMigrators() throws {
        let database = try TestDatabase()
        let directory = try Self.directory([
            "0001_first.sql": "CREATE TABLE counter (n integer); SELECT pg_sleep(0.2);",
            "0002_second.sql": "INSERT INTO counter VALUES (1);",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcomes = OutcomeBox()
        let schema = database.schema
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            do {
                let connection = try TestDatabase.connect(applicationName: "migrator")
                defer { connection.close() }
                try TestDatabase.use(schema: schema, on: connection)
                outcomes.append(.success(try Migrator(directory: directory).migrate(connection)))
            } catch {
                outcomes.append(.failure(error))
            }
        }
        let results = outcomes.values
        #expect(results.count == 3)
        let applied = try results.flatMap { try $0.get() }
        #expect(applied.sorted() == ["0001_first.sql", "0002_second.sql"])
        #expect(try database.count("counter") == 1)
    }

    @Test func appliesTheShippedLedgerSchema() throws {
        let database = try TestDatabase()
        let schemas = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("schemas")
        let migrator = Migrator(directory: schemas)
        let applied = try migrator.migrate(database.connection)
        #expect(applied.first == "0001_ledger.sql")
        let connection = database.connection
        try connection.execute(
            SQLQuery(
                "INSERT INTO etl_runs (id, pipeline, partitions, status, args, host, pid) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)",
                [
                    "run-1", "demo", PostgresTextArray(["2026-11-20", "2026-11-21"]), "running", "{\"jobs\":2}", "host",
                    42,
                ]))
        try connection.execute(
            SQLQuery(
                "INSERT INTO etl_stage_runs (run_id, pipeline, partition, stage, status, rows_in) VALUES ($1, $2, $3, $4, $5, $6)",
                ["run-1", "demo", "2026-11-20", "extract", "succeeded", 10]))
        let badStatus = try expectPostgresError {
            try connection.execute(
                SQLQuery(
                    "INSERT INTO etl_stage_runs (run_id, pipeline, partition, stage, status) VALUES ($1, $2, $3, $4, $5)",
                    ["run-1", "demo", "2026-11-20", "extract", "exploded"]))
        }
        #expect(badStatus.sqlState == "23514")
        try connection.execute(
            SQLQuery(
                "INSERT INTO etl_events (run_id, level, kind, stage, partition, message, details) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)",
                ["run-1", "warning", "throttle", "extract", "2026-11-20", "rate limited", "{\"retry_after_ms\":500}"]))
        try connection.execute(
            SQLQuery(
                "INSERT INTO etl_loads (pipeline, partition, stage, source, manifest_hash, rows_inserted) VALUES ($1, $2, $3, $4, $5, $6)",
                ["demo", "2026-11-20", "load", "etherscan-logs", "abc", 10]))
        try connection.execute(
            SQLQuery(
                "INSERT INTO etl_api_quota (key_fingerprint, day, calls) VALUES ($1, $2, $3) ON CONFLICT (key_fingerprint, day) DO UPDATE SET calls = etl_api_quota.calls + EXCLUDED.calls",
                ["fp", "2026-11-20", 5]))
        #expect(try database.scalar("SELECT array_length(partitions, 1) FROM etl_runs WHERE id = $1", ["run-1"]) == "2")
        #expect(try migrator.pending(connection) == [])
    }
}

/// Collects results from concurrent workers.
private final class OutcomeBox: @unchecked Sendable {
    // Guarded by `lock`.
    private var storage = [Result<[String], any Error>]()
    private let lock = NSLock()

    func append(_ outcome: Result<[String], any Error>) {
        lock.withLock { storage.append(outcome) }
    }

    var values: [Result<[String], any Error>] { lock.withLock { storage } }
}

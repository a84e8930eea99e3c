import ChainETLPostgres
import Foundation
import Testing

@testable import ChainETLRunner

/// SPEC §13 / docs/scaling.md "Citus": after every migration, the catalog keeps the store
/// distributable by `token_address`: each table with that column (transfers and its partitions, the
/// daily tables, holder balances, …) has it in every primary and unique key, and no foreign key
/// touches such a table (a foreign key between shards, or between a shard and the coordinator's
/// ledger, is what Citus refuses).
@Suite("Citus compatibility of the schema (PostgreSQL catalog)")
struct CitusCompatibilityTests {
    static let distributionColumn = "token_address"

    /// A distributed table: one with a `token_address` column outside the coordinator's ledger
    /// (`etl_*` tables stay local, e.g. `etl_refetch` names a token but is not sharded).
    static let distributedTable = """
        (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relname NOT LIKE 'etl\\_%'
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = $1 AND NOT a.attisdropped))
        """

    /// Unique keys of distributed tables that lack the distribution column, and foreign keys that
    /// touch a distributed table, as readable lines.
    static func violations(_ connection: PostgresConnection) throws -> [String] {
        let uniqueKeys = try connection.execute(
            SQLQuery(
                """
                SELECT c.relname || ': ' || i.relname
                FROM pg_index x
                JOIN pg_class c ON c.oid = x.indrelid
                JOIN pg_class i ON i.oid = x.indexrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = current_schema() AND x.indisunique AND c.oid IN \(distributedTable)
                  AND NOT EXISTS (
                      SELECT 1 FROM pg_attribute a
                      WHERE a.attrelid = c.oid AND a.attname = $1 AND a.attnum = ANY (x.indkey::int2[]))
                ORDER BY 1
                """, [distributionColumn]))
        let foreignKeys = try connection.execute(
            SQLQuery(
                """
                SELECT f.conname || ': ' || c.relname || ' -> ' || r.relname
                FROM pg_constraint f
                JOIN pg_class c ON c.oid = f.conrelid
                JOIN pg_class r ON r.oid = f.confrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = current_schema() AND f.contype = 'f'
                  AND (c.oid IN \(distributedTable) OR r.oid IN \(distributedTable))
                ORDER BY 1
                """, [distributionColumn]))
        return (0..<uniqueKeys.count).map {
            "unique key without \(distributionColumn): " + (uniqueKeys.value(row: $0, column: 0) ?? "")
        }
            + (0..<foreignKeys.count).map {
                "foreign key touching a distributed table: " + (foreignKeys.value(row: $0, column: 0) ?? "")
            }
    }

    @Test func everyMigrationKeepsTheStoreDistributableByTokenAddress() throws {
        let database = try ScratchDatabase()
        let connection = try database.connect()
        defer { connection.close() }
        _ = try MigrationSource.migrator(environment: [:]).migrate(connection)
        // Monthly partitions of transfers are tables of their own: make two and check them too.
        for time in ["2026-10-31T00:00:00Z", "2026-11-01T12:00:00Z"] {
            _ = try connection.execute(SQLQuery("SELECT chainetl_ensure_transfer_partition($1::timestamptz)", [time]))
        }
        let distributed = try connection.execute(
            SQLQuery(
                """
                SELECT count(DISTINCT c.relname) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attname = $1
                  AND c.relname NOT LIKE 'etl\\_%'
                """, [Self.distributionColumn]))
        #expect(try distributed.int(row: 0, column: 0) ?? 0 >= 8, "transfers, its partitions and the daily tables")
        let found = try Self.violations(connection)
        #expect(found == [], "\(found)")
    }

    @Test func theCheckFindsAUniqueKeyWithoutTheColumnAndACrossShardForeignKey() throws {
        let database = try ScratchDatabase()
        let connection = try database.connect()
        defer { connection.close() }
        try connection.executeScript(
            unsafeSQL: """
                CREATE TABLE shard_a (token_address text NOT NULL, id bigint NOT NULL, PRIMARY KEY (token_address, id), UNIQUE (id));
                CREATE TABLE shard_b (token_address text NOT NULL, a_id bigint, a_token text,
                    FOREIGN KEY (a_token, a_id) REFERENCES shard_a (token_address, id));
                CREATE TABLE local_only (id bigint PRIMARY KEY);
                """)
        let found = try Self.violations(connection)
        #expect(found.count == 2, "\(found)")
        #expect(found.contains { $0.contains("shard_a: shard_a_id_key") })
        #expect(found.contains { $0.contains("shard_b -> shard_a") })
    }
}

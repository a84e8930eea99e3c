import Foundation
import Logging

/// Applies `NNNN_name.sql` migrations in version order, one transaction each: files from one
/// directory, or a list built into the binary (`chainetl` embeds `schemas/`, so an installed binary
/// migrates from any directory).
///
/// Applied migrations are recorded in `schema_migrations` with the SHA-256 of their text
/// (computed by Postgres, so this module needs no crypto dependency). An applied migration whose
/// file changed or disappeared stops everything: the fix is a new migration, never an edit.
/// Concurrent migrators on one schema are serialized by a transaction-scoped advisory lock.
public struct Migrator: Sendable {
    /// One migration file.
    public struct Migration: Sendable, Equatable {
        /// The `NNNN` prefix.
        public let version: Int
        /// The file name, e.g. `0001_ledger.sql`.
        public let name: String
        /// The file's SQL text.
        public let sql: String

        public init(version: Int, name: String, sql: String) {
            self.version = version
            self.name = name
            self.sql = sql
        }
    }

    /// Where the migrations come from.
    public enum Source: Sendable, Equatable {
        /// `NNNN_name.sql` files in a directory (e.g. `schemas/`).
        case directory(URL)
        /// Migrations built into the binary; `origin` names them in messages.
        case embedded([Migration], origin: String)
    }

    public let source: Source

    public init(directory: URL) {
        self.source = .directory(directory)
    }

    public init(source: Source) {
        self.source = source
    }

    /// The directory's path, or the embedded set's origin, for messages.
    public var origin: String {
        switch source {
        case .directory(let directory): return directory.path
        case .embedded(_, let origin): return origin
        }
    }

    /// The migrations in version order; other files in a directory are ignored.
    public func migrations() throws -> [Migration] {
        switch source {
        case .directory(let directory): return try Self.sorted(try Self.read(directory))
        case .embedded(let migrations, _): return try Self.sorted(migrations)
        }
    }

    private static func read(_ directory: URL) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw PostgresError.migrationDirectoryUnreadable(
                path: directory.path, message: "\(error.localizedDescription)")
        }
        var migrations = [Migration]()
        for name in names {
            guard let version = Self.version(ofFileNamed: name) else { continue }
            let sql: String
            do {
                sql = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            } catch {
                throw PostgresError.migrationDirectoryUnreadable(
                    path: directory.appendingPathComponent(name).path, message: "\(error.localizedDescription)")
            }
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        return migrations
    }

    private static func sorted(_ unsorted: [Migration]) throws -> [Migration] {
        var migrations = unsorted
        migrations.sort { ($0.version, $0.name) < ($1.version, $1.name) }
        for (index, migration) in migrations.enumerated().dropFirst()
        where migrations[index - 1].version == migration.version {
            let names = migrations.filter { $0.version == migration.version }.map(\.name)
            throw PostgresError.duplicateMigrationVersion(version: migration.version, names: names)
        }
        return migrations
    }

    /// Names of the migrations not yet applied, in order; fails like `migrate` on edited or missing ones.
    public func pending(_ connection: PostgresConnection) throws -> [String] {
        let local = try migrations()
        let checksums = try localChecksums(local, connection)
        // Read-only: a database without the ledger table has applied nothing.
        let ledger = try connection.execute(SQLQuery("SELECT to_regclass('schema_migrations') IS NOT NULL"))
        guard ledger.bool(row: 0, column: 0) == true else { return local.map(\.name) }
        let applied = try appliedMigrations(connection)
        try verify(applied: applied, local: local, checksums: checksums)
        return local.filter { applied[$0.version] == nil }.map(\.name)
    }

    /// Applies every pending migration, each in its own transaction; returns the names applied.
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws -> [String] {
        let local = try migrations()
        let checksums = try localChecksums(local, connection)
        try ensureLedgerTable(connection)
        var appliedNow = [String]()
        for migration in local {
            let didApply = try connection.transaction { () throws -> Bool in
                try lock(connection)
                // Read under the lock: another migrator may have applied it since we started.
                let applied = try appliedMigrations(connection)
                try verify(applied: applied, local: local, checksums: checksums)
                guard applied[migration.version] == nil else { return false }
                do {
                    try connection.executeScript(unsafeSQL: migration.sql)
                } catch let error as PostgresError {
                    throw Self.migrationFailure(migration, error)
                }
                try connection.execute(
                    SQLQuery(
                        """
                        INSERT INTO schema_migrations (version, name, checksum, applied_at)
                        VALUES ($1, $2, $3, now())
                        """, [migration.version, migration.name, checksums[migration.version]]))
                return true
            }
            if didApply {
                connection.logger.info(
                    "migration applied", metadata: ["migration.name": "\(migration.name)"])
                appliedNow.append(migration.name)
            }
        }
        return appliedNow
    }

    /// `NNNN` from a name matching `^\d{4}_[a-z0-9_]+\.sql$`, else nil.
    static func version(ofFileNamed name: String) -> Int? {
        let bytes = Array(name.utf8)
        guard bytes.count > 9, bytes[4] == UInt8(ascii: "_"), name.hasSuffix(".sql") else { return nil }
        let digits = bytes[0..<4]
        let stem = bytes[5..<(bytes.count - 4)]
        guard digits.allSatisfy({ (0x30...0x39).contains($0) }),
            stem.allSatisfy({ (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "_") })
        else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    private func ensureLedgerTable(_ connection: PostgresConnection) throws {
        try connection.transaction {
            try lock(connection)
            try connection.execute(
                SQLQuery(
                    unsafeSQL: """
                        CREATE TABLE IF NOT EXISTS schema_migrations (
                            version    integer PRIMARY KEY,
                            name       text NOT NULL,
                            checksum   text NOT NULL,
                            applied_at timestamptz NOT NULL DEFAULT now()
                        )
                        """))
        }
    }

    /// Serializes migrators working on the same schema until the transaction ends.
    private func lock(_ connection: PostgresConnection) throws {
        try connection.execute(
            SQLQuery("SELECT pg_advisory_xact_lock(hashtext($1 || current_schema())::bigint)", ["chainetl.migrate:"]))
    }

    private func appliedMigrations(_ connection: PostgresConnection) throws -> [Int: (name: String, checksum: String)] {
        let rows = try connection.execute(
            SQLQuery("SELECT version, name, checksum FROM schema_migrations ORDER BY version"))
        var applied = [Int: (name: String, checksum: String)]()
        for row in 0..<rows.count {
            guard let version = try rows.int(row: row, column: 0) else { continue }
            applied[version] = (rows.value(row: row, column: 1) ?? "", rows.value(row: row, column: 2) ?? "")
        }
        return applied
    }

    /// SHA-256 hex of each file's UTF-8 text, computed by the server.
    private func localChecksums(_ local: [Migration], _ connection: PostgresConnection) throws -> [Int: String] {
        var checksums = [Int: String]()
        for migration in local {
            let rows = try connection.execute(
                SQLQuery("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", [migration.sql]))
            checksums[migration.version] = rows.value(row: 0, column: 0)
        }
        return checksums
    }

    private func verify(
        applied: [Int: (name: String, checksum: String)], local: [Migration], checksums: [Int: String]
    ) throws {
        let localByVersion = Dictionary(uniqueKeysWithValues: local.map { ($0.version, $0) })
        for (version, record) in applied.sorted(by: { $0.key < $1.key }) {
            guard let file = localByVersion[version] else {
                throw PostgresError.migrationMissing(name: record.name, directory: origin)
            }
            let current = checksums[version] ?? ""
            if current != record.checksum {
                throw PostgresError.migrationEdited(
                    name: file.name, appliedChecksum: record.checksum, currentChecksum: current)
            }
        }
    }

    /// Points a failed script at `file:line:column` when the server reported a position.
    private static func migrationFailure(_ migration: Migration, _ error: PostgresError) -> PostgresError {
        guard case .server(let sqlState, let message, let detail, let hint, _, _, let position) = error else {
            return error
        }
        // 42P07 duplicate_table, 42710 duplicate_object, 42701 duplicate_column, 42P06 duplicate_schema,
        // 42723 duplicate_function: the objects exist though the ledger says the migration never ran.
        if ["42P07", "42710", "42701", "42P06", "42723"].contains(sqlState) {
            return .migrationLedgerOutOfSync(name: migration.name, cause: "\(sqlState): \(message)")
        }
        var cause = "\(sqlState): \(message)"
        if let detail { cause += "; detail: \(detail)" }
        if let hint { cause += "; hint: \(hint)" }
        let location = position.flatMap { PostgresError.lineAndColumn(of: $0, in: migration.sql) }
        return .migrationFailed(name: migration.name, line: location?.line, column: location?.column, cause: cause)
    }
}

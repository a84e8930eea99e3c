import ChainETLCore
import ChainETLPostgres
import Foundation
import Logging

@testable import ChainETLStages

/// A fresh database on the `DATABASE_URL` server (started by `.ci/with-postgres`), dropped when
/// the value goes away: export and import tests need one that never saw chainetl.
final class ExportScratchDatabase {
    let name: String
    let url: String
    private let serverURL: String

    init(prefix: String) throws {
        guard let serverURL = ProcessInfo.processInfo.environment["DATABASE_URL"], !serverURL.isEmpty else {
            throw ExportTestFailure("DATABASE_URL is not set; run the tests through .ci/with-postgres or make test")
        }
        self.serverURL = serverURL
        name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        url = Self.url(serverURL, database: name)
        let admin = try PostgresConnection.connect(
            url: serverURL, applicationName: "chainetl tests", logger: .exportTests)
        defer { admin.close() }
        try admin.execute(SQLQuery(unsafeSQL: "CREATE DATABASE \(SQLIdentifier.quote(name))"))
    }

    deinit {
        if let admin = try? PostgresConnection.connect(
            url: serverURL, applicationName: "chainetl tests", logger: .exportTests)
        {
            _ = try? admin.execute(
                SQLQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(SQLIdentifier.quote(name)) WITH (FORCE)"))
            admin.close()
        }
    }

    /// A new connection to this database.
    func connect() throws -> PostgresConnection {
        try PostgresConnection.connect(url: url, applicationName: "chainetl tests", logger: .exportTests)
    }

    /// `serverURL` pointed at `database` (a later `dbname` wins in libpq).
    static func url(_ serverURL: String, database: String) -> String {
        if serverURL.contains("://") {
            return serverURL + (serverURL.contains("?") ? "&" : "?") + "dbname=\(database)"
        }
        return serverURL + " dbname=\(database)"
    }

    /// Every row of `sql` as text (nil for NULL), for exact comparisons.
    static func rows(_ connection: PostgresConnection, _ sql: String) throws -> [[String?]] {
        let result = try connection.execute(SQLQuery(unsafeSQL: sql))
        return (0..<result.count).map { row in
            (0..<result.columnNames.count).map { result.value(row: row, column: $0) }
        }
    }
}

/// A test precondition that did not hold.
struct ExportTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Logger {
    /// A logger that drops everything.
    static let exportTests = Logger(label: "chainetl.tests", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// A temporary directory removed when the value goes away.
final class ExportTemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("chainetl-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

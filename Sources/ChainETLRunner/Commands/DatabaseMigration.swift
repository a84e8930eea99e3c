import ChainETLPostgres
import Foundation
import Logging

/// `chainetl migrate`: applies pending migrations and says which.
public struct DatabaseMigration {
    let databaseURL: String?
    let schemas: URL?
    let logger: Logger
    let console: RunConsole

    public init(databaseURL: String?, schemas: URL?, logger: Logger, console: RunConsole) {
        self.databaseURL = databaseURL
        self.schemas = schemas
        self.logger = logger
        self.console = console
    }

    /// Returns the exit code: 0 applied or nothing to do, 1 database failure, 2 a named folder is missing.
    public func run(environment: [String: String]) -> Int32 {
        let migrator: Migrator
        do {
            migrator = try MigrationSource.migrator(folder: schemas, environment: environment)
        } catch let error as RunnerError {
            console.error(error.description)
            return error.exitCode
        } catch {
            console.error("\(error)")
            return 2
        }
        do {
            let connection = try PostgresConnection.connect(
                url: databaseURL, applicationName: "chainetl migrate", logger: logger)
            defer { connection.close() }
            let applied = try migrator.migrate(connection)
            let summary =
                applied.isEmpty
                ? "migrate: schema is up to date (\(migrator.origin))"
                : "migrate: applied \(applied.count) migration(s): \(applied.joined(separator: ", "))"
            console.closing(summary: summary, failures: [], resume: nil, runID: "migrate", status: .succeeded)
            return 0
        } catch {
            let message = RunnerError.database(action: "apply \(migrator.origin)", underlying: error)
            console.closing(
                summary: "migrate: failed", failures: [message.description], resume: nil, runID: "migrate",
                status: .failed)
            return 1
        }
    }
}

import ArgumentParser
import ChainETLRunner
import Foundation

extension ChainETL {
    /// `chainetl migrate`: applies pending `schemas/NNNN_name.sql` migrations.
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending database migrations (schemas/NNNN_name.sql), one transaction each.")

        @Option(help: "PostgreSQL URL (default: DATABASE_URL, then libpq's PG* variables).")
        var databaseURL: String?

        @Option(help: "The migrations folder (default: CHAINETL_SCHEMAS, or schemas/ here or above).")
        var schemas: String?

        @OptionGroup var logging: LoggingOptions

        func run() throws {
            let (logger, console) = logging.bootstrap(label: "chainetl.migrate")
            let migration = DatabaseMigration(
                databaseURL: databaseURL, schemas: schemas.map { URL(fileURLWithPath: $0, isDirectory: true) },
                logger: logger, console: console)
            let code = migration.run(
                environment: ProcessInfo.processInfo.environment,
                currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
            if code != 0 { throw ExitCode(code) }
        }
    }
}

import ArgumentParser
import ChainETLRunner
import Foundation

extension ChainETL {
    /// `chainetl migrate`: applies pending `schemas/NNNN_name.sql` migrations.
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending database migrations (built in from schemas/), one transaction each.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "A folder of NNNN_name.sql migrations (default: CHAINETL_SCHEMAS, else those built in).")
        var schemas: String?

        @OptionGroup var logging: LoggingOptions

        func run() throws {
            let (logger, console) = logging.bootstrap(label: "chainetl.migrate")
            let migration = DatabaseMigration(
                databaseURL: database.url, schemas: schemas.map { URL(fileURLWithPath: $0, isDirectory: true) },
                logger: logger, console: console)
            let code = migration.run(environment: ProcessInfo.processInfo.environment)
            if code != 0 { throw ExitCode(code) }
        }
    }
}

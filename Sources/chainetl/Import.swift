import ArgumentParser
import ChainETLRunner
import Foundation

extension ChainETL {
    /// `chainetl import DIR`: verifies an export bundle and upserts it into any Postgres.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load an export bundle (exports/<pipeline>/<partition>/) into PostgreSQL.",
            discussion: """
                Verifies every file's size and sha256 against manifest.json first and refuses a damaged or \
                partial bundle. Then, in one transaction, creates each summary's table from the manifest if \
                absent and upserts the CSV rows by the summary's key: importing a bundle twice changes nothing.
                """)

        @Argument(help: "The bundle directory holding manifest.json.")
        var directory: String

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The schema the tables go to (created if absent).")
        var schema: String = "public"

        @OptionGroup var logging: LoggingOptions

        func run() throws {
            let (logger, console) = logging.bootstrap(label: "chainetl.import")
            let code = BundleImport(
                directory: URL(fileURLWithPath: directory, isDirectory: true), schema: schema,
                databaseURL: database.url, logger: logger, console: console
            ).run()
            if code != 0 { throw ExitCode(code) }
        }
    }
}

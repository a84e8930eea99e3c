import ArgumentParser
import ChainETLPostgres
import ChainETLRunner
import ChainETLStages
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

        @Option(help: "PostgreSQL URL (default: DATABASE_URL, then libpq's PG* variables).")
        var databaseURL: String?

        @Option(help: "The schema the tables go to (created if absent).")
        var schema: String = "public"

        @OptionGroup var logging: LoggingOptions

        func run() throws {
            let (logger, console) = logging.bootstrap(label: "chainetl.import")
            let bundle = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: bundle.path, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                console.error("\(bundle.path) is not a directory; pass the bundle's <partition>/ directory")
                throw ExitCode(2)
            }
            do {
                // A damaged bundle is refused before any connection is opened.
                let importer = ExportBundleImporter(directory: bundle, schema: schema)
                let manifest = try importer.verify(logger: logger)
                let connection = try PostgresConnection.connect(
                    url: databaseURL, applicationName: "chainetl import", logger: logger)
                defer { connection.close() }
                let results = try importer.load(manifest, connection: connection, logger: logger)
                let rows = results.reduce(0) { $0 + $1.rows }
                let inserted = results.reduce(0) { $0 + $1.inserted }
                let updated = results.reduce(0) { $0 + $1.updated }
                console.closing(
                    summary: "import: \(results.count) summaries of \(manifest.pipeline) \(manifest.partition) into "
                        + "schema \(schema): \(rows) rows, \(inserted) inserted, \(updated) updated, "
                        + "\(rows - inserted - updated) unchanged",
                    failures: [], resume: nil, runID: manifest.runID, status: .succeeded)
            } catch {
                console.closing(
                    summary: "import: failed, nothing was imported from \(bundle.path)", failures: ["\(error)"],
                    resume: nil, runID: "import", status: .failed)
                throw ExitCode(1)
            }
        }
    }
}

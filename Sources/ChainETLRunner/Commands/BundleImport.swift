import ChainETLPostgres
import ChainETLStages
import Foundation
import Logging

/// `chainetl import DIR`: verifies an export bundle, then upserts it into PostgreSQL and says
/// how many rows went where.
public struct BundleImport {
    let directory: URL
    let schema: String
    let databaseURL: String?
    let logger: Logger
    let console: RunConsole

    public init(directory: URL, schema: String, databaseURL: String?, logger: Logger, console: RunConsole) {
        self.directory = directory.standardizedFileURL
        self.schema = schema
        self.databaseURL = databaseURL
        self.logger = logger
        self.console = console
    }

    /// Returns the exit code: 0 imported, 1 the bundle or the database failed (nothing imported),
    /// 2 `directory` is not a directory.
    public func run() -> Int32 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            console.error("\(directory.path) is not a directory; pass the bundle's <partition>/ directory")
            return 2
        }
        do {
            // A damaged bundle is refused before any connection is opened.
            let importer = ExportBundleImporter(directory: directory, schema: schema)
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
            return 0
        } catch {
            console.closing(
                summary: "import: failed, nothing was imported from \(directory.path)", failures: ["\(error)"],
                resume: nil, runID: "import", status: .failed)
            return 1
        }
    }
}

import ChainETLCore
import Crypto
import Foundation

/// The `with:` of an `export` stage.
///
/// ```yaml
/// - id: export
///   uses: export
///   needs: [aggregate]
///   with:
///     summaries: [daily_token_volume, daily_address_volume, token_summary]
///     root: /srv/exports      # default <workdir>/exports; relative paths resolve against --workdir
///     sql_dir: sql/export     # default; relative to the pipeline file's folder
/// ```
///
/// Each summary `<name>` is the query in `<sql_dir>/<name>.sql` (see `ExportQuery`). The files are
/// read and their headers checked here, so `chainetl validate` reports a bad one.
struct ExportConfiguration: Sendable {
    /// The default `sql_dir`, relative to the pipeline file's folder.
    static let defaultSQLDirectory = "sql/export"
    /// The default `root`, relative to the work directory.
    static let defaultRoot = "exports"

    static let schema = StageParameterSchema(parameters: [
        StageParameter(
            name: "summaries", type: .stringList, required: true,
            description: "the summaries to export, each a <name>.sql file in sql_dir"),
        StageParameter(
            name: "root", type: .string,
            description: "the export root (default <workdir>/exports); bundles go to <root>/<pipeline>/<partition>/"),
        StageParameter(
            name: "sql_dir", type: .string,
            description: "the folder of the export queries, relative to the pipeline file (default sql/export)"),
    ])

    var queries: [ExportQuery]
    /// nil: `<workdir>/exports`. Relative paths resolve against the work directory.
    var root: String?

    init(spec: StageSpec, pipeline: PipelineSpec) throws {
        let parameters = spec.parameters
        let names = try parameters.requiredStringList("summaries")
        let namesLocation = parameters.node("summaries")?.location ?? spec.location
        guard !names.isEmpty else {
            throw ConfigDiagnostic(
                location: namesLocation, message: "export stage \(spec.id) lists no summaries",
                hint: "write summaries: [daily_token_volume, token_summary]")
        }
        // Each item's own position, so a diagnostic points at the offending name.
        var itemLocations: [SourceLocation] = []
        if case .sequence(let items)? = parameters.node("summaries")?.value {
            itemLocations = items.map(\.location)
        }
        func location(of index: Int) -> SourceLocation {
            index < itemLocations.count ? itemLocations[index] : namesLocation
        }
        var seen = Set<String>()
        for (index, name) in names.enumerated() {
            guard ExportQuery.isColumnName(name) else {
                throw ConfigDiagnostic(
                    location: location(of: index),
                    message: "summary name '\(name)' is not a plain lowercase identifier",
                    hint: "use letters, digits and underscores, e.g. daily_token_volume")
            }
            guard seen.insert(name).inserted else {
                throw ConfigDiagnostic(
                    location: location(of: index), message: "summary \(name) is listed twice",
                    hint: "list each summary once")
            }
        }
        let sqlDirectory = try parameters.string("sql_dir") ?? Self.defaultSQLDirectory
        let directory =
            sqlDirectory.hasPrefix("/")
            ? URL(fileURLWithPath: sqlDirectory, isDirectory: true)
            : pipeline.directory.appendingPathComponent(sqlDirectory, isDirectory: true).standardizedFileURL
        queries = try names.enumerated().map { index, name in
            let file = directory.appendingPathComponent("\(name).sql")
            do {
                return try Self.readQuery(name: name, file: file)
            } catch {
                throw ConfigDiagnostic(
                    location: location(of: index), message: "summary \(name): \(error)",
                    hint: "each summary needs \(sqlDirectory)/\(name).sql next to \(pipeline.file.lastPathComponent)")
            }
        }
        root = try parameters.string("root")
    }

    /// The export root for a run with work directory `workdir`.
    func rootDirectory(workdir: URL) -> URL {
        guard let root else { return workdir.appendingPathComponent(Self.defaultRoot, isDirectory: true) }
        return root.hasPrefix("/")
            ? URL(fileURLWithPath: root, isDirectory: true)
            : workdir.appendingPathComponent(root, isDirectory: true).standardizedFileURL
    }

    /// Reads and parses one export query file.
    static func readQuery(name: String, file: URL) throws(ExportError) -> ExportQuery {
        guard FileManager.default.fileExists(atPath: file.path) else { throw .queryMissing(path: file.path) }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw .queryUnreadable(path: file.path, underlying: error)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .queryHeader(path: file.path, line: 1, message: "the file is not UTF-8")
        }
        let sha256 = LowercaseHex.text(SHA256.hash(data: data))
        return try ExportQuery(name: name, text: text, path: file.path, sha256: sha256)
    }
}

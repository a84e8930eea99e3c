import ChainETLCore
import Foundation

/// The `with:` of a `sql` stage.
///
/// ```yaml
/// - id: daily_volume
///   uses: sql
///   with:
///     file: sql/daily_volume.sql   # relative to the pipeline file's folder
/// ```
struct SQLConfiguration: Sendable {
    static let schema = StageParameterSchema(parameters: [
        StageParameter(
            name: "file", type: .string, required: true,
            description: "the .sql file to run, relative to the pipeline file's folder")
    ])

    /// The resolved script file.
    var file: URL
    /// Its text, read once: the config hash and the run both use exactly this.
    var text: String

    init(spec: StageSpec, pipeline: PipelineSpec) throws {
        let path = try spec.parameters.requiredString("file")
        let location = spec.parameters.node("file")?.location ?? spec.location
        guard path.hasSuffix(".sql") else {
            throw ConfigDiagnostic(
                location: location, message: "sql stage \(spec.id) must name a .sql file, got '\(path)'",
                hint: "write file: path/to/query.sql")
        }
        file =
            path.hasPrefix("/")
            ? URL(fileURLWithPath: path) : pipeline.directory.appendingPathComponent(path).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue
        else {
            throw ConfigDiagnostic(
                location: location, message: "sql file \(file.path) does not exist",
                hint: "paths are relative to the folder of \(pipeline.file.lastPathComponent)")
        }
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw ConfigDiagnostic(
                location: location, message: "sql file \(file.path) cannot be read as utf-8 text",
                hint: "check its permissions and encoding")
        }
    }
}

import ChainETLCore
import Foundation

/// A data file named in a stage's `with:`, resolved against the pipeline file's folder and
/// checked to exist when the pipeline is loaded.
struct StageFilePath: Sendable, Equatable {
    /// The path as the pipeline wrote it (recorded in output lines and row sources).
    let written: String
    /// The resolved absolute path.
    let resolved: String

    init(key: String, spec: StageSpec, pipeline: PipelineSpec) throws(ConfigDiagnostic) {
        let written = try spec.parameters.requiredString(key)
        let location = spec.parameters.node(key)?.location ?? spec.location
        let url =
            written.hasPrefix("/")
            ? URL(fileURLWithPath: written) : pipeline.directory.appendingPathComponent(written).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ConfigDiagnostic(
                location: location, message: "\(key) \(written) of stage \(spec.id) does not exist",
                hint: "paths are relative to the folder of \(pipeline.file.lastPathComponent)")
        }
        self.written = written
        self.resolved = url.path
    }

    /// The file's text, for `configurationInputs` (so editing the file reruns the stage).
    func text(spec: StageSpec, key: String) throws(ConfigDiagnostic) -> String {
        do {
            return try String(contentsOfFile: resolved, encoding: .utf8)
        } catch {
            throw ConfigDiagnostic(
                location: spec.parameters.node(key)?.location ?? spec.location,
                message: "\(key) \(written) of stage \(spec.id) cannot be read as utf-8 text",
                hint: "check its permissions and encoding")
        }
    }
}

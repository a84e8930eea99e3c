import Foundation

/// `chainetl validate`: loads pipeline files and lists every problem, touching no network or database.
public enum PipelineValidator {
    /// Every problem in `files`, file by file in the order given, each file's sorted by position.
    ///
    /// Beyond each file's own checks, two files declaring the same pipeline name are reported
    /// (they would share checkpoints and locks). An empty result means every file is valid.
    public static func validate(
        files: [URL], environment: [String: String], catalog: any StageKindCatalog
    ) -> [ConfigDiagnostic] {
        var diagnostics: [ConfigDiagnostic] = []
        var names: [String: URL] = [:]
        for file in files {
            switch PipelineLoader.load(file: file, environment: environment, catalog: catalog) {
            case .failure(let problems):
                diagnostics.append(contentsOf: problems.diagnostics)
            case .success(let spec):
                if let other = names[spec.name], other.standardizedFileURL != file.standardizedFileURL {
                    diagnostics.append(
                        ConfigDiagnostic(
                            location: SourceLocation(file: file.relativePath, line: 1, column: 1),
                            message: "pipeline name '\(spec.name)' is also used by \(other.relativePath)",
                            hint: "set a different 'name:' in one of them; pipelines share checkpoints by name"))
                }
                names[spec.name] = names[spec.name] ?? file
            }
        }
        return diagnostics
    }
}

import ChainETLCore
import ChainETLStages
import Foundation

/// `chainetl validate`: the loader's checks plus each stage kind's own (files it names, …).
/// Reads files only: no network, no database.
public struct PipelineCheck {
    public struct Result: Sendable {
        /// Every problem, located, sorted by file and position.
        public var diagnostics: [ConfigDiagnostic]
        /// One `ok` line per valid file.
        public var validFiles: [String]

        public var isValid: Bool { diagnostics.isEmpty }

        /// What to print: the diagnostics and their count, or the ok lines.
        public var lines: [String] {
            if isValid { return validFiles }
            return [ConfigDiagnostics(diagnostics).description]
        }
    }

    let files: [URL]
    let registry: StageRegistry

    public init(files: [URL], registry: StageRegistry = .standard) {
        self.files = files
        self.registry = registry
    }

    public func run(environment: [String: String]) -> Result {
        var diagnostics = PipelineValidator.validate(files: files, environment: environment, catalog: registry)
        var valid: [String] = []
        for file in files {
            guard
                case .success(let pipeline) = PipelineLoader.load(
                    file: file, environment: environment, catalog: registry)
            else { continue }
            let problems = registry.makeStages(of: pipeline).problems
            diagnostics += problems
            if problems.isEmpty && !diagnostics.contains(where: { $0.location.file == file.relativePath }) {
                valid.append(
                    "ok: \(file.relativePath) (pipeline \(pipeline.name), \(pipeline.stages.count) stages, "
                        + "\(pipeline.chains.count) chains)")
            }
        }
        let unique = diagnostics.reduce(into: [ConfigDiagnostic]()) { if !$0.contains($1) { $0.append($1) } }
        return Result(diagnostics: unique.sorted(by: Self.byLocation), validFiles: valid)
    }

    private static func byLocation(_ left: ConfigDiagnostic, _ right: ConfigDiagnostic) -> Bool {
        let (l, r) = (left.location, right.location)
        return (l.file, l.line, l.column) < (r.file, r.line, r.column)
    }
}

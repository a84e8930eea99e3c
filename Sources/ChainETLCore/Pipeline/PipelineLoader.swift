import Foundation

/// Loads a `version: 1` pipeline file into a `PipelineSpec`, reporting every problem at once.
///
/// The work happens in layers: YAML → located nodes with `${VAR}` interpolation
/// (`PipelineYAMLReader`) → the schema walk here (unknown keys, types, required keys, addresses) →
/// stage checks (kinds, `with:` against the kind's schema, `needs:`, cycles). Every layer keeps
/// going after a problem, so one `validate` run lists everything wrong with the file.
public struct PipelineLoader {
    /// The only pipeline file version this chainetl reads.
    public static let supportedVersion = 1

    static let topLevelKeys = ["version", "name", "chains", "stages"]

    /// Reads, interpolates and checks `file`.
    ///
    /// - Parameters:
    ///   - environment: the variables `${VAR}` reads (normally `ProcessInfo.processInfo.environment`).
    ///   - catalog: the stage kinds `uses:` may name and their `with:` parameters.
    /// - Returns: the spec, or every problem found, sorted by position.
    public static func load(
        file: URL, environment: [String: String], catalog: any StageKindCatalog
    ) -> Result<PipelineSpec, ConfigDiagnostics> {
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            let location = SourceLocation(file: file.relativePath, line: 1, column: 1)
            let reason =
                FileManager.default.fileExists(atPath: file.path)
                ? "it is unreadable or not utf-8 text" : "no such file"
            return .failure(
                ConfigDiagnostics([
                    ConfigDiagnostic(
                        location: location, message: "cannot read the pipeline file: \(reason)",
                        hint: "check the path; pipeline files live in pipelines/*.yaml")
                ]))
        }
        return load(text: text, file: file, environment: environment, catalog: catalog)
    }

    /// Like `load(file:environment:catalog:)`, for text already read (`file` names it in diagnostics).
    public static func load(
        text: String, file: URL, environment: [String: String], catalog: any StageKindCatalog
    ) -> Result<PipelineSpec, ConfigDiagnostics> {
        var loader = PipelineLoader(file: file, catalog: catalog)
        let output = PipelineYAMLReader.read(text: text, file: loader.path, environment: environment)
        loader.diagnostics = output.diagnostics
        loader.writtenText = output.writtenText
        loader.failedScalars = output.failedScalars
        let spec = output.root.flatMap { loader.loadDocument($0) }
        if let spec, loader.diagnostics.isEmpty { return .success(spec) }
        return .failure(ConfigDiagnostics(loader.diagnostics.sortedByLocation()))
    }

    let file: URL
    /// The file as diagnostics print it (as given, so relative paths stay relative).
    let path: String
    let catalog: any StageKindCatalog
    var diagnostics: [ConfigDiagnostic] = []
    var writtenText: [SourceLocation: String] = [:]
    var failedScalars: Set<SourceLocation> = []

    init(file: URL, catalog: any StageKindCatalog) {
        self.file = file
        self.path = file.relativePath
        self.catalog = catalog
    }

    private mutating func loadDocument(_ root: ConfigNode) -> PipelineSpec? {
        guard case .mapping = root.value else {
            report(
                at: root.location, "expected a mapping at the top of the pipeline file",
                hint: "start the file with 'version: 1', then 'chains:' and 'stages:'")
            return nil
        }
        let top = checkMapping(root, allowed: Self.topLevelKeys, context: "the pipeline file")
        let start = SourceLocation(file: path, line: 1, column: 1)
        var version: Int?
        if let node = require(top, "version", context: "the pipeline file", example: "version: 1", at: start),
            let number = integer(node, key: "version")
        {
            version = number
            if number != Self.supportedVersion {
                report(
                    at: node.location, "unsupported pipeline file version \(number)",
                    hint: "this chainetl reads version: \(Self.supportedVersion)")
            }
        }
        let name = pipelineName(top)
        let chains = loadChains(top.value("chains"))
        let chainNames = top.value("chains")?.keys ?? []
        let stages = loadStages(
            require(top, "stages", context: "the pipeline file", example: "stages: [...]", at: start),
            chainNames: chainNames)
        guard let version, let name else { return nil }
        return PipelineSpec(name: name, file: file, version: version, chains: chains, stages: stages)
    }

    /// `name:`, or the file name without `.yaml`; either must be usable as a directory name.
    private mutating func pipelineName(_ top: CheckedMapping) -> String? {
        if let node = top.value("name") {
            guard let name = string(node, key: "name") else { return nil }
            guard Self.isIdentifier(name) else {
                report(
                    at: node.location, "invalid pipeline name \(quoted(node))",
                    hint: "use letters, digits, '_', '-' and '.', starting with a letter or digit")
                return nil
            }
            return name
        }
        var name = file.lastPathComponent
        for suffix in [".yaml", ".yml"] where name.hasSuffix(suffix) { name = String(name.dropLast(suffix.count)) }
        guard Self.isIdentifier(name) else {
            report(
                at: SourceLocation(file: path, line: 1, column: 1),
                "the file name '\(name)' is not a valid pipeline name",
                hint: "add 'name: my-pipeline' (letters, digits, '_', '-', '.') or rename the file")
            return nil
        }
        return name
    }

    /// Names used in paths and selectors: stage ids, chain names, the pipeline name.
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= 100 else { return false }
        func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        return isAlphanumeric(first)
            && text.unicodeScalars.allSatisfy { isAlphanumeric($0) || $0 == "_" || $0 == "-" || $0 == "." }
    }
}

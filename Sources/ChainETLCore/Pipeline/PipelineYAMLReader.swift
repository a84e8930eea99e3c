import Yams

/// Reads a pipeline file's YAML into located, interpolated `ConfigNode`s, collecting every problem.
///
/// Yams stops at the first duplicated mapping key. To still report every problem (and point at the
/// *second* occurrence of a duplicated chain name), the reader masks the occurrence Yams reports with
/// a unique placeholder of the same length, parses again, and restores the real key by its position
/// when it builds the tree. Duplicates therefore survive into `ConfigValue.mapping`, where the loader
/// reports them with the context it knows (chain, stage parameter, …).
struct PipelineYAMLReader {
    /// The tree, or nil when the YAML could not be parsed at all, plus what went wrong.
    struct Output {
        var root: ConfigNode?
        var diagnostics: [ConfigDiagnostic]
        /// Scalars whose value came from interpolation, by location: their text as written, which is
        /// what messages quote (an interpolated value may be a secret).
        var writtenText: [SourceLocation: String]
        /// Scalars whose interpolation failed (already reported); type checks skip them.
        var failedScalars: Set<SourceLocation>
    }

    /// Beyond this many nodes (after alias expansion) the file is refused rather than expanded.
    static let maximumNodeCount = 200_000
    /// How many duplicated keys the reader masks before it gives up on the file.
    static let maximumMaskedKeys = 200

    let file: String
    let interpolator: EnvironmentInterpolator

    private var diagnostics: [ConfigDiagnostic] = []
    private var writtenText: [SourceLocation: String] = [:]
    private var failedScalars: Set<SourceLocation> = []
    /// Masked key positions (line, column) to the key written there.
    private var maskedKeys: [MarkKey: String] = [:]
    private var nodeCount = 0

    init(file: String, environment: [String: String]) {
        self.file = file
        self.interpolator = EnvironmentInterpolator(environment: environment)
    }

    static func read(text: String, file: String, environment: [String: String]) -> Output {
        var reader = PipelineYAMLReader(file: file, environment: environment)
        let root = reader.parse(text)
        return Output(
            root: root, diagnostics: reader.diagnostics, writtenText: reader.writtenText,
            failedScalars: reader.failedScalars)
    }

    private struct MarkKey: Hashable {
        var line: Int
        var column: Int
    }

    private mutating func parse(_ original: String) -> ConfigNode? {
        var text = original
        while true {
            do {
                guard let node = try Yams.compose(yaml: text) else {
                    diagnostics.append(
                        ConfigDiagnostic(
                            location: location(line: 1, column: 1), message: "the pipeline file is empty",
                            hint: "start it with 'version: 1', then 'chains:' and 'stages:'"))
                    return nil
                }
                return convert(node)
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                let key = duplicates.first ?? ""
                let mark = MarkKey(line: context.mark.line, column: context.mark.column)
                guard maskedKeys.count < Self.maximumMaskedKeys, maskedKeys[mark] == nil,
                    let masked = Self.mask(key: key, at: mark, in: text, serial: maskedKeys.count)
                else {
                    diagnostics.append(
                        ConfigDiagnostic(
                            location: location(line: mark.line, column: mark.column),
                            message: "duplicate key '\(key)'", hint: "remove or rename one of them"))
                    return nil
                }
                maskedKeys[mark] = key
                text = masked
            } catch let error as YamlError {
                diagnostics.append(Self.diagnostic(for: error, file: file))
                return nil
            } catch {
                diagnostics.append(
                    ConfigDiagnostic(
                        location: location(line: 1, column: 1), message: "cannot parse the yaml: \(error)",
                        hint: nil))
                return nil
            }
        }
    }

    /// `text` with the key written at `mark` replaced by a same-length placeholder, or nil when the
    /// text there is not the key (then the reader cannot recover and reports the duplicate as fatal).
    ///
    /// The placeholder uses private-use characters, which YAML accepts in plain scalars and no real
    /// key contains; same length keeps every other line and column unchanged.
    private static func mask(key: String, at mark: MarkKey, in text: String, serial: Int) -> String? {
        let keyScalars = Array(key.unicodeScalars)
        guard !keyScalars.isEmpty, let unique = Unicode.Scalar(0xE000 + UInt32(serial)) else { return nil }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        var line = lines[mark.line - 1]
        var start = mark.column - 1
        guard start >= 0, start < line.count else { return nil }
        if line[start] == "\"" || line[start] == "'" { start += 1 }
        guard start + keyScalars.count <= line.count,
            Array(line[start..<(start + keyScalars.count)]) == keyScalars
        else { return nil }
        let filler = Unicode.Scalar(0xE000 as UInt32)!
        for offset in 0..<keyScalars.count { line[start + offset] = offset == 0 ? unique : filler }
        lines[mark.line - 1] = line
        return lines.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
    }

    private static func diagnostic(for error: YamlError, file: String) -> ConfigDiagnostic {
        let hint = "check the indentation, quoting and colons on this line and the one before"
        func located(_ mark: Mark, _ problem: String, _ context: YamlError.Context?) -> ConfigDiagnostic {
            var message = "yaml syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return ConfigDiagnostic(
                location: SourceLocation(file: file, line: mark.line, column: mark.column), message: message,
                hint: hint)
        }
        switch error {
        case .scanner(let context, let problem, let mark, let yaml) where character(at: mark, in: yaml) == "\t":
            var diagnostic = located(mark, problem, context)
            diagnostic.hint = "indent with spaces: yaml does not allow tabs for indentation"
            return diagnostic
        case .scanner(let context, let problem, let mark, _): return located(mark, problem, context)
        case .parser(let context, let problem, let mark, _): return located(mark, problem, context)
        case .composer(let context, let problem, let mark, _): return located(mark, problem, context)
        case .reader(let problem, let offset, _, let yaml):
            let (line, column) = lineAndColumn(ofUTF8Offset: offset ?? 0, in: yaml)
            return ConfigDiagnostic(
                location: SourceLocation(file: file, line: line, column: column),
                message: "cannot read the yaml: \(problem)", hint: "save the file as utf-8 text")
        default:
            return ConfigDiagnostic(
                location: SourceLocation(file: file, line: 1, column: 1), message: "cannot parse the yaml: \(error)",
                hint: hint)
        }
    }

    /// The character at a 1-based line and column (in Unicode scalars), if there is one.
    private static func character(at mark: Mark, in text: String) -> Unicode.Scalar? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let scalars = Array(lines[mark.line - 1].unicodeScalars)
        return mark.column >= 1 && mark.column <= scalars.count ? scalars[mark.column - 1] : nil
    }

    private static func lineAndColumn(ofUTF8Offset offset: Int, in text: String) -> (Int, Int) {
        var line = 1
        var column = 1
        var consumed = 0
        for scalar in text.unicodeScalars {
            if consumed >= offset { break }
            consumed += UTF8.width(scalar)
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    private func location(line: Int, column: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column)
    }

    private func location(of node: Node) -> SourceLocation {
        location(line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    private mutating func convert(_ node: Node) -> ConfigNode {
        let here = location(of: node)
        nodeCount += 1
        if nodeCount == Self.maximumNodeCount {
            diagnostics.append(
                ConfigDiagnostic(
                    location: here, message: "the file expands to more than \(Self.maximumNodeCount) yaml nodes",
                    hint: "avoid nested aliases (*name); pipeline files are small"))
        }
        if nodeCount >= Self.maximumNodeCount { return ConfigNode(value: .null, location: here) }
        switch node {
        case .scalar(let scalar):
            return ConfigNode(value: convert(scalar, at: here), location: here)
        case .sequence(let sequence):
            return ConfigNode(value: .sequence(sequence.map { convert($0) }), location: here)
        case .mapping(let mapping):
            var pairs: [(key: String, keyLocation: SourceLocation, value: ConfigNode)] = []
            for (key, value) in mapping {
                let keyLocation = location(of: key)
                guard case .scalar(let keyScalar) = key else {
                    diagnostics.append(
                        ConfigDiagnostic(
                            location: keyLocation, message: "a mapping key must be a plain string",
                            hint: "write keys as 'name: value'"))
                    continue
                }
                let mark = MarkKey(line: keyLocation.line, column: keyLocation.column)
                pairs.append((maskedKeys[mark] ?? keyScalar.string, keyLocation, convert(value)))
            }
            return ConfigNode(value: .mapping(pairs), location: here)
        case .alias:
            diagnostics.append(
                ConfigDiagnostic(
                    location: here, message: "unresolved yaml alias", hint: "define the anchor (&name) first"))
            return ConfigNode(value: .null, location: here)
        }
    }

    private mutating func convert(_ scalar: Node.Scalar, at here: SourceLocation) -> ConfigValue {
        let text = scalar.string
        if scalar.style == .plain, scalar.tag == .implicit, ["", "~", "null", "Null", "NULL"].contains(text) {
            return .null
        }
        guard EnvironmentInterpolator.mayInterpolate(text) else { return .scalar(text) }
        do {
            let expanded = try interpolator.expand(text)
            if expanded != text { writtenText[here] = text }
            return .scalar(expanded)
        } catch {
            failedScalars.insert(here)
            diagnostics.append(Self.diagnostic(for: error, at: here))
            return .scalar(text)
        }
    }

    private static func diagnostic(for failure: EnvironmentInterpolator.Failure, at here: SourceLocation)
        -> ConfigDiagnostic
    {
        switch failure {
        case .unsetVariable(let name):
            return ConfigDiagnostic(
                location: here, message: "environment variable \(name) is not set",
                hint: "export \(name)=... or use ${\(name):-default}")
        case .unterminated:
            return ConfigDiagnostic(
                location: here, message: "'${' without a closing '}'",
                hint: "write ${NAME} or ${NAME:-default}; write $$ for a literal $")
        case .malformed(let reference):
            return ConfigDiagnostic(
                location: here, message: "malformed variable reference '\(reference)'",
                hint: "write ${NAME} or ${NAME:-default} (NAME: letters, digits, _); write $$ for a literal $")
        }
    }
}

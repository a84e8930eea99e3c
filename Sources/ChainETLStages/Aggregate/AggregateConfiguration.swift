import ChainETLCore
import Foundation

/// The `with:` of `aggregate`.
///
/// ```yaml
/// - id: aggregate
///   uses: aggregate
///   needs: [load]                     # only orders it after the loads; no data is read
///   with:
///     files:                          # run in this order, all in one transaction
///       - sql/token_metadata.sql
///       - sql/daily_token_volume.sql
///     policy: stack                   # stack | dedupe: $4 of files declaring `policy text`
///     statuses: [filled, partial]     # $4 of files declaring `statuses text[]`
///     work_mem: 64MB                  # optional SET LOCAL work_mem for the transaction
/// ```
struct AggregateConfiguration: Sendable {
    /// The attribution policy for an address reaching one entity through two roles.
    enum Policy: String, Sendable, CaseIterable {
        case stack, dedupe
    }

    /// A file plus its text (the text joins the config hash).
    struct File: Sendable {
        var written: String
        var text: String
        var sql: AggregateSQLFile
    }

    static let defaultStatuses = ["filled", "partial"]

    static let schema = StageParameterSchema(parameters: [
        StageParameter(
            name: "files", type: .stringList, required: true,
            description: "aggregate .sql files relative to the pipeline file's folder, run in order in one transaction"),
        StageParameter(
            name: "policy", type: .string, description: "stack (default) or dedupe, for files declaring policy text"),
        StageParameter(
            name: "statuses", type: .stringList,
            description:
                "execution statuses counted as volume (default [filled, partial]), for files declaring statuses text[]"),
        StageParameter(
            name: "work_mem", type: .string, description: "work_mem for the aggregate transaction, e.g. 64MB"),
    ])

    var files: [File]
    var policy: Policy
    var statuses: [String]
    var workMem: String?

    init(spec: StageSpec, pipeline: PipelineSpec) throws {
        let parameters = spec.parameters
        let location: (String) -> SourceLocation = { parameters.node($0)?.location ?? spec.location }

        let policyText = try parameters.string("policy") ?? Policy.stack.rawValue
        guard let policy = Policy(rawValue: policyText) else {
            throw ConfigDiagnostic(
                location: location("policy"), message: "policy must be stack or dedupe, got '\(policyText)'",
                hint: "write policy: stack (count an address once per role) or policy: dedupe (once per entity)")
        }
        self.policy = policy

        let statuses = (try parameters.stringList("statuses") ?? Self.defaultStatuses)
            .map { $0.trimmingASCIIWhitespace().lowercased() }
        guard !statuses.isEmpty, !statuses.contains("") else {
            throw ConfigDiagnostic(
                location: location("statuses"), message: "statuses must list at least one non-empty status",
                hint: "write statuses: [filled, partial]")
        }
        self.statuses = statuses

        if let workMem = try parameters.string("work_mem") {
            guard Self.isMemorySetting(workMem) else {
                throw ConfigDiagnostic(
                    location: location("work_mem"), message: "work_mem must be a size such as 64MB, got '\(workMem)'",
                    hint: "write work_mem: 64MB (units kB, MB or GB)")
            }
            self.workMem = workMem
        }

        let written = try parameters.requiredStringList("files")
        guard !written.isEmpty else {
            throw ConfigDiagnostic(
                location: location("files"), message: "files must name at least one .sql file",
                hint: "write files: [sql/daily_token_volume.sql]")
        }
        var files: [File] = []
        for path in written {
            let url =
                path.hasPrefix("/")
                ? URL(fileURLWithPath: path) : pipeline.directory.appendingPathComponent(path).standardizedFileURL
            let text: String
            do {
                text = try String(contentsOf: url, encoding: .utf8)
            } catch {
                throw ConfigDiagnostic(
                    location: location("files"), message: "aggregate sql file \(path) cannot be read",
                    hint: "paths are relative to the folder of \(pipeline.file.lastPathComponent)")
            }
            let sql: AggregateSQLFile
            do {
                sql = try AggregateSQLFile(path: path, text: text)
            } catch {
                throw ConfigDiagnostic(location: location("files"), message: error.description)
            }
            for parameter in sql.parameters.dropFirst(AggregateSQLFile.dayParameters.count)
            where Self.binding(for: parameter) == nil {
                throw ConfigDiagnostic(
                    location: location("files"),
                    message: "\(path) declares parameter '\(parameter.name) \(parameter.type.rawValue)', which the "
                        + "aggregate stage cannot bind",
                    hint: "the stage binds 'policy text' and 'statuses text[]' after the three day parameters")
            }
            if files.contains(where: { $0.sql.output == sql.output }) {
                throw ConfigDiagnostic(
                    location: location("files"), message: "two files build \(sql.output); list each output once")
            }
            files.append(File(written: path, text: text, sql: sql))
        }
        self.files = files
    }

    /// Which stage setting feeds an extra file parameter, if any.
    static func binding(for parameter: AggregateSQLFile.Parameter) -> ExtraParameter? {
        switch (parameter.name, parameter.type) {
        case ("policy", .text): .policy
        case ("statuses", .textArray): .statuses
        default: nil
        }
    }

    /// The stage settings a file may declare beyond the day parameters.
    enum ExtraParameter {
        case policy, statuses
    }

    /// `64MB`, `512kB`, `1GB` or a plain number of kB.
    static func isMemorySetting(_ text: String) -> Bool {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9 else { return false }
        return ["", "kB", "MB", "GB"].contains(String(text.dropFirst(digits.count)))
    }
}

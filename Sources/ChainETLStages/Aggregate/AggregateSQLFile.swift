import Foundation

/// One aggregate SQL file from `pipelines/sql/`: the output it builds, its declared parameters
/// and its statements in order (SPEC §7; the contract is in docs/aggregates.md).
///
/// The header, in the leading comment lines, names the output and the parameters:
///
///     -- output: daily_token_volume
///     -- params: day_start timestamptz, day_end timestamptz, day date
///
/// `$1` = day start (00:00:00 UTC), `$2` = day end (exclusive), `$3` = the day. Further
/// parameters are the file's own (`policy text`, `statuses text[]`). The caller prepares every
/// statement with all declared types (so a statement may use a subset) and runs the statements
/// in order inside one transaction.
struct AggregateSQLFile: Equatable, Sendable {
    /// A declared parameter; its position is its `$n`.
    struct Parameter: Equatable, Sendable {
        var name: String
        var type: AggregateParameterType
    }

    let path: String
    /// The table the file builds.
    let output: String
    let parameters: [Parameter]
    let statements: [SQLStatementSplitter.Statement]

    /// The parameters every file starts with.
    static let dayParameters = [
        Parameter(name: "day_start", type: .timestamptz),
        Parameter(name: "day_end", type: .timestamptz),
        Parameter(name: "day", type: .date),
    ]

    /// Reads and parses the file at `path`.
    static func load(path: String) throws(AggregateError) -> AggregateSQLFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadableFile(path: path, reason: error.localizedDescription)
        }
        return try AggregateSQLFile(path: path, text: text)
    }

    init(path: String, text: String) throws(AggregateError) {
        var output: String?
        var parameters: [Parameter]?
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard line.hasPrefix("--") else { break }
            let body = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            if output == nil, let value = Self.headerValue(body, key: "output") {
                output = value
            } else if parameters == nil, let value = Self.headerValue(body, key: "params") {
                parameters = try Self.parseParameters(value, path: path, line: offset + 1)
            }
        }
        guard let output, !output.isEmpty, !output.contains(" ") else { throw .missingOutput(path: path) }
        guard let parameters else { throw .missingParameters(path: path) }

        let statements: [SQLStatementSplitter.Statement]
        do {
            statements = try SQLStatementSplitter.split(text)
        } catch {
            switch error {
            case .dollarQuoting(let line):
                throw .dollarQuoting(path: path, line: line)
            case .unterminated(let line, let construct):
                throw .unterminated(path: path, line: line, construct: construct)
            }
        }
        guard !statements.isEmpty else { throw .noStatements(path: path) }
        for statement in statements where statement.highestParameter > parameters.count {
            throw .undeclaredParameter(
                path: path, line: statement.line, number: statement.highestParameter, declared: parameters.count)
        }
        self.path = path
        self.output = output
        self.parameters = parameters
        self.statements = statements
    }

    private static func headerValue(_ body: String, key: String) -> String? {
        guard body.hasPrefix(key + ":") else { return nil }
        return body.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
    }

    private static func parseParameters(_ list: String, path: String, line: Int) throws(AggregateError) -> [Parameter] {
        var parameters: [Parameter] = []
        for entry in list.split(separator: ",") {
            let words = entry.split(separator: " ", omittingEmptySubsequences: true)
            guard words.count == 2, let type = AggregateParameterType(rawValue: String(words[1])),
                words[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
            else {
                throw .invalidParameter(path: path, line: line, entry: entry.trimmingCharacters(in: .whitespaces))
            }
            let name = String(words[0])
            if parameters.contains(where: { $0.name == name }) {
                throw .duplicateParameter(path: path, line: line, name: name)
            }
            parameters.append(Parameter(name: name, type: type))
        }
        guard parameters.prefix(3) == dayParameters[...] else {
            throw .wrongDayParameters(path: path, line: line, found: list)
        }
        return parameters
    }
}

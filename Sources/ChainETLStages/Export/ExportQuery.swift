import Foundation

/// One summary's export query: a `.sql` file holding one `SELECT` and a header that names the
/// summary, describes it and every column, and declares its key.
///
/// ```sql
/// -- export: daily_token_volume
/// -- description: One row per chain, token and UTC day with at least one transfer.
/// -- key: chain_id, token_address, day
/// -- column chain_id: EVM chain id.
/// -- column volume_raw: Σ value over volume transfers, raw uint256 units.
/// SELECT … FROM daily_token_volume WHERE day = $3 ORDER BY chain_id, token_address
/// ```
///
/// Bound parameters (the same as `sql` stages): `$1` partition start (timestamptz), `$2` partition
/// end, exclusive (timestamptz), `$3` partition date (date), `$4` pipeline name (text). The
/// `ORDER BY` must cover the key: it is what makes a re-export byte-identical.
struct ExportQuery: Sendable, Equatable {
    /// The summary name: the file's base name and the output files' base name.
    var name: String
    /// One line saying what a row is.
    var description: String
    /// The columns that identify a row; `chainetl import` upserts by them.
    var key: [String]
    /// Column name → one-line description, in header order.
    var columnDescriptions: [(name: String, description: String)]
    /// The statement, without the header comments and without a trailing semicolon.
    var sql: String
    /// The file it came from.
    var path: String
    /// Lowercase hex SHA-256 of the file's bytes, recorded in the manifest.
    var sha256: String

    static func == (lhs: ExportQuery, rhs: ExportQuery) -> Bool {
        lhs.name == rhs.name && lhs.description == rhs.description && lhs.key == rhs.key
            && lhs.columnDescriptions.map(\.name) == rhs.columnDescriptions.map(\.name)
            && lhs.columnDescriptions.map(\.description) == rhs.columnDescriptions.map(\.description)
            && lhs.sql == rhs.sql && lhs.path == rhs.path && lhs.sha256 == rhs.sha256
    }

    /// The description of `column`, if the header gives one.
    func description(ofColumn column: String) -> String? {
        columnDescriptions.first { $0.name == column }?.description
    }

    /// Parses `text` read from `path`; `name` is the summary the pipeline asked for.
    init(name: String, text: String, path: String, sha256: String) throws(ExportError) {
        self.name = name
        self.path = path
        self.sha256 = sha256
        var declaredName: String?
        var description: String?
        var key: [String]?
        var columns: [(name: String, description: String)] = []
        var bodyLines: [Substring] = []
        var inHeader = true

        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard inHeader, trimmed.hasPrefix("--") || trimmed.isEmpty else {
                inHeader = false
                bodyLines.append(line)
                continue
            }
            let comment = trimmed.dropFirst(2).drop { $0 == " " || $0 == "\t" }
            func value(after prefix: String) -> String {
                String(comment.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
            }
            func fail(_ message: String) -> ExportError {
                .queryHeader(path: path, line: lineNumber, message: message)
            }
            if comment.hasPrefix("export:") {
                guard declaredName == nil else { throw fail("a second '-- export:' line") }
                declaredName = value(after: "export:")
            } else if comment.hasPrefix("description:") {
                guard description == nil else { throw fail("a second '-- description:' line") }
                description = value(after: "description:")
            } else if comment.hasPrefix("key:") {
                guard key == nil else { throw fail("a second '-- key:' line") }
                let names = value(after: "key:").split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                guard !names.isEmpty, names.allSatisfy(Self.isColumnName) else {
                    throw fail("'-- key:' must list column names separated by commas")
                }
                key = names
            } else if comment.hasPrefix("column ") {
                let rest = value(after: "column ")
                guard let colon = rest.firstIndex(of: ":") else {
                    throw fail("write '-- column <name>: <one-line description>'")
                }
                let column = rest[..<colon].trimmingCharacters(in: .whitespaces)
                let text = rest[rest.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                guard Self.isColumnName(column) else { throw fail("'\(column)' is not a plain column name") }
                guard !text.isEmpty else { throw fail("column \(column) has an empty description") }
                guard !columns.contains(where: { $0.name == column }) else {
                    throw fail("column \(column) is described twice")
                }
                columns.append((column, text))
            }
        }
        guard let declaredName else {
            throw .queryHeader(path: path, line: 1, message: "the header lacks '-- export: \(name)'")
        }
        guard declaredName == name else {
            throw .queryHeader(
                path: path, line: 1,
                message: "the header says '-- export: \(declaredName)' but the file is for summary \(name)")
        }
        guard let description, !description.isEmpty else {
            throw .queryHeader(path: path, line: 1, message: "the header lacks '-- description: <one line>'")
        }
        guard let key else {
            throw .queryHeader(path: path, line: 1, message: "the header lacks '-- key: <columns>'")
        }
        for column in key where !columns.contains(where: { $0.name == column }) {
            throw .queryHeader(
                path: path, line: 1, message: "key column \(column) has no '-- column \(column): …' line")
        }
        var sql = bodyLines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        while sql.hasSuffix(";") {
            sql = String(sql.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard !sql.isEmpty else {
            throw .queryHeader(path: path, line: 1, message: "the file holds no SELECT after its header")
        }
        self.description = description
        self.key = key
        self.columnDescriptions = columns
        self.sql = sql
    }

    /// Lowercase letters, digits and underscores, not starting with a digit: names that need no
    /// quoting anywhere a loader may put them.
    static func isColumnName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }
}

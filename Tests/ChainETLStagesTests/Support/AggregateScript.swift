import ChainETLCore

@testable import ChainETLStages

/// Renders aggregate SQL files as a psql script that binds their parameters the way the stage
/// will: every statement is prepared with all declared parameter types, executed, deallocated.
enum AggregateScript {
    /// A value for a parameter beyond the three day parameters.
    enum Argument {
        case text(String?)
        case textArray([String]?)

        fileprivate var literal: String {
            switch self {
            case .text(let value): value.map(AggregateScript.quote) ?? "NULL"
            case .textArray(let values):
                values.map { "ARRAY[\($0.map(AggregateScript.quote).joined(separator: ", "))]::text[]" } ?? "NULL"
            }
        }
    }

    /// The script running `files` in order for `day`; `extra` supplies `$4…` per file output.
    static func render(_ files: [AggregateSQLFile], day: PartitionDay, extra: [String: [Argument]] = [:]) -> String {
        let dayArguments = [
            quote("\(day) 00:00:00+00"), quote("\(day.advanced(by: 1)) 00:00:00+00"), quote("\(day)"),
        ]
        var script = ""
        for (fileIndex, file) in files.enumerated() {
            let arguments = dayArguments + (extra[file.output] ?? []).map(\.literal)
            precondition(arguments.count == file.parameters.count, "\(file.output): wrong argument count")
            let types = file.parameters.map(\.type.rawValue).joined(separator: ", ")
            for (index, statement) in file.statements.enumerated() {
                let name = "chainetl_aggregate_\(fileIndex)_\(index)"
                script += "PREPARE \(name) (\(types)) AS\n\(statement.text);\n"
                script += "EXECUTE \(name) (\(arguments.joined(separator: ", ")));\n"
                script += "DEALLOCATE \(name);\n"
            }
        }
        return script
    }

    private static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}

/// Failures of a `sql` stage.
enum SQLError: Error, CustomStringConvertible {
    /// The script holds no statement.
    case empty(path: String)
    /// A statement uses a placeholder above `$4`.
    case unknownParameter(path: String, statement: Int, parameter: Int)
    /// A statement failed; the transaction was rolled back.
    case statementFailed(path: String, statement: Int, underlying: any Error)

    var description: String {
        switch self {
        case .empty(let path):
            return "sql file \(path) holds no statement; add at least one or remove the stage"
        case .unknownParameter(let path, let statement, let parameter):
            return "sql file \(path), statement \(statement), uses $\(parameter); only $1 (partition start), "
                + "$2 (partition end), $3 (partition date) and $4 (pipeline name) are bound"
        case .statementFailed(let path, let statement, let underlying):
            return "sql file \(path), statement \(statement), failed and the whole file was rolled back: \(underlying)"
        }
    }
}

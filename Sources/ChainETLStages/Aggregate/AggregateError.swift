/// Why an aggregate SQL file or an aggregate run was refused.
enum AggregateError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadableFile(path: String, reason: String)
    /// The header lacks the `-- output:` line.
    case missingOutput(path: String)
    /// The header lacks the `-- params:` line.
    case missingParameters(path: String)
    /// A `-- params:` entry is not `name type` with a supported type.
    case invalidParameter(path: String, line: Int, entry: String)
    /// The first three parameters are not `day_start timestamptz, day_end timestamptz, day date`.
    case wrongDayParameters(path: String, line: Int, found: String)
    /// Two parameters share a name.
    case duplicateParameter(path: String, line: Int, name: String)
    /// A statement references `$n` beyond the declared parameters.
    case undeclaredParameter(path: String, line: Int, number: Int, declared: Int)
    /// `$$` or `$tag$` quoting, which would make the statement split ambiguous.
    case dollarQuoting(path: String, line: Int)
    /// A quote, quoted identifier or block comment is never closed.
    case unterminated(path: String, line: Int, construct: String)
    /// The file has no statement.
    case noStatements(path: String)
    /// A statement failed while aggregating a partition; the whole transaction was rolled back.
    case statementFailed(path: String, line: Int, stage: String, partition: String, underlying: String)

    var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            "cannot read aggregate sql file \(path): \(reason); check the path in the pipeline's aggregate stage"
        case .missingOutput(let path):
            "\(path): missing '-- output: <table>' header line; add it before the first statement"
        case .missingParameters(let path):
            "\(path): missing '-- params: day_start timestamptz, day_end timestamptz, day date' header line; add it before the first statement"
        case .invalidParameter(let path, let line, let entry):
            "\(path):\(line): parameter '\(entry)' is not '<name> <type>' with type timestamptz, date, text or text[]"
        case .wrongDayParameters(let path, let line, let found):
            "\(path):\(line): parameters must start with 'day_start timestamptz, day_end timestamptz, day date', found '\(found)'"
        case .duplicateParameter(let path, let line, let name):
            "\(path):\(line): parameter '\(name)' is declared twice; give each parameter its own name"
        case .undeclaredParameter(let path, let line, let number, let declared):
            "\(path):\(line): statement uses $\(number) but the header declares \(declared) parameters; declare it in '-- params:'"
        case .dollarQuoting(let path, let line):
            "\(path):\(line): dollar quoting is not allowed in aggregate files; move function bodies into a schemas/ migration"
        case .unterminated(let path, let line, let construct):
            "\(path):\(line): \(construct) is never closed; close it before the end of the file"
        case .noStatements(let path):
            "\(path): no sql statement found; an aggregate file needs at least one statement"
        case .statementFailed(let path, let line, let stage, let partition, let underlying):
            "\(path):\(line): statement failed in stage \(stage) for partition \(partition), every file of the "
                + "partition was rolled back: \(underlying)"
        }
    }
}

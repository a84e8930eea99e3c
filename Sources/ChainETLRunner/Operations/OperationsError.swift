/// Why an operations task (status, run report page, metrics file) could not do its job.
public enum OperationsError: Error, CustomStringConvertible, Equatable {
    /// A report or metrics file could not be written.
    case fileNotWritten(path: String, reason: String)
    /// A status query against the ledger failed.
    case database(action: String, message: String)
    /// A command-line value is wrong.
    case usage(String)

    public var description: String {
        switch self {
        case .fileNotWritten(let path, let reason):
            return "cannot write \(path): \(reason); check that the folder exists, is writable and the disk is not full"
        case .database(let action, let message):
            return "cannot \(action): \(message); check --database-url, DATABASE_URL or the PG* variables "
                + "and run `chainetl migrate`"
        case .usage(let message):
            return message
        }
    }
}

import ChainETLCore

/// Why an operations task (status, run report page, metrics file) could not do its job.
public enum OperationsError: Error, CustomStringConvertible, Equatable {
    /// A report or metrics file could not be written.
    case fileNotWritten(path: String, reason: String)
    /// The file system ran out of space (or quota) while a file was written; nothing was left behind.
    case noSpace(path: String)
    /// A status query against the ledger failed.
    case database(action: String, message: String)
    /// A command-line value is wrong.
    case usage(String)

    public var description: String {
        switch self {
        case .fileNotWritten(let path, let reason):
            return "cannot write \(path): \(reason); check that the folder exists, is writable and the disk is not full"
        case .noSpace(let path):
            return "no space left on device writing \(path); free space on that file system (or move the "
                + "workdir with --workdir), then rerun"
        case .database(let action, let message):
            return "cannot \(action): \(message); check --database-url, DATABASE_URL or the PG* variables "
                + "and run `chainetl migrate`"
        case .usage(let message):
            return message
        }
    }
}

extension OperationsError {
    /// An `AtomicFile` failure, with the operator's next step.
    init(_ error: AtomicFileError) {
        switch error {
        case .notWritten(let path, let reason): self = .fileNotWritten(path: path, reason: reason)
        case .noSpace(let path): self = .noSpace(path: path)
        }
    }
}

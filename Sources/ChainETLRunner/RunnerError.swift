import ChainETLCore
import ChainETLPostgres

/// Why a run (or `validate`/`migrate`) could not do its job, before or around the stages.
public enum RunnerError: Error, CustomStringConvertible {
    /// The pipeline file has problems; each is located.
    case invalidPipeline(ConfigDiagnostics)
    /// A command-line value is wrong.
    case usage(String)
    /// The partition is today or later and `--allow-open` was not given.
    case openPartition(PartitionDay, today: PartitionDay)
    /// PostgreSQL could not be reached or set up.
    case database(action: String, underlying: any Error)
    /// The run report could not be written.
    case reportNotWritten(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidPipeline(let diagnostics):
            return diagnostics.description
        case .usage(let message):
            return message
        case .openPartition(let day, let today):
            return
                "partition \(day) is not closed yet (today is \(today) UTC); pass --allow-open to process an open day"
        case .database(let action, let underlying):
            // PostgresError already says where it connected and what to check.
            return "cannot \(action): \(underlying)"
        case .reportNotWritten(let path, let reason):
            return "cannot write the run report \(path): \(reason); check that the workdir is writable and not full"
        }
    }

    /// The exit code this error maps to (SPEC §2): 2 for usage and config, 1 otherwise.
    public var exitCode: Int32 {
        switch self {
        case .invalidPipeline, .usage, .openPartition: return 2
        case .database(_, let underlying): return (underlying as? PostgresError)?.isUsageError == true ? 2 : 1
        case .reportNotWritten: return 1
        }
    }
}

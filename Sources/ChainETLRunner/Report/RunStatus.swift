/// The outcome of a whole run, and the exit code it maps to (SPEC §2).
public enum RunStatus: String, Sendable, Codable {
    case running
    /// Every planned unit succeeded or was skipped.
    case succeeded
    /// At least one stage failed (exit 1).
    case failed
    /// No stage failed but a partition was locked by another run (exit 3).
    case locked
    /// The run could not start: bad arguments or configuration (exit 2).
    case invalid
    /// Stopped by SIGINT (exit 130) or SIGTERM (exit 143); or, in `etl_runs`, a `running` run
    /// whose process is gone. The report's `exit_code` has the signal's code.
    case interrupted

    public var exitCode: Int32 {
        switch self {
        case .running, .succeeded: return 0
        case .failed: return 1
        case .invalid: return 2
        case .locked: return 3
        case .interrupted: return 130
        }
    }
}

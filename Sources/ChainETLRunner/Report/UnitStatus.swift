/// What happened to one (partition, stage) unit; also the `status` stored in `etl_stage_runs`.
public enum UnitStatus: String, Sendable, Codable, CaseIterable {
    case running
    case succeeded
    case skipped
    case failed
    /// Not run: an upstream stage failed in the same partition.
    case blocked
    /// Not run: another run holds the partition's lock.
    case locked
    /// Stopped or never started because the run got SIGINT/SIGTERM, or left `running` by a run
    /// whose process is gone (set by the next `run` or `status`). `--select failed` reruns it.
    case interrupted
}

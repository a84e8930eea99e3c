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
}

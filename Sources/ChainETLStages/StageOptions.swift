/// Run-wide switches a stage may consult.
public struct StageOptions: Sendable, Hashable {
    /// `--allow-open`: the partition may be a day that is not closed yet.
    public var allowOpen: Bool
    /// `--force`: rerun even when the checkpoint is up to date.
    public var force: Bool
    /// `--dry-run`: nothing is executed; stages are only planned.
    public var dryRun: Bool
    /// `--refetch`: reconcile stages mark mismatched partitions for reload.
    public var refetch: Bool

    public init(allowOpen: Bool = false, force: Bool = false, dryRun: Bool = false, refetch: Bool = false) {
        self.allowOpen = allowOpen
        self.force = force
        self.dryRun = dryRun
        self.refetch = refetch
    }
}

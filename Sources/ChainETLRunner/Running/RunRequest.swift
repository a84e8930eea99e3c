import ChainETLCore
import Foundation

/// Everything `chainetl run` was asked to do, already parsed from the command line.
public struct RunRequest: Sendable {
    public var pipelineFile: URL
    public var partitions: PartitionRequest
    /// `--select` values as typed: `id`, `id+`, `+id` or `failed`.
    public var selections: [String]
    public var force: Bool
    public var dryRun: Bool
    public var allowOpen: Bool
    public var jobs: Int
    /// `--extract-jobs`: explorer extract units that run at once in their own lane, beside `jobs`
    /// (0 runs them in the `jobs` lane, as before the lane existed).
    public var extractJobs: Int
    /// `--database-url`, else `DATABASE_URL`; nil lets libpq read the `PG*` variables.
    public var databaseURL: String?
    public var workdir: URL
    /// The command line with secrets removed, for the ledger and the report.
    public var arguments: [String]
    /// `--metrics-file`: where to write Prometheus textfile metrics after the run.
    public var metricsFile: URL?
    /// `--refetch`: reconcile stages mark mismatched partitions for reload (as `refetch: true` does).
    public var refetch: Bool
    /// How many ids of each kind a unit's rerun diff lists in the report (the diff file has all).
    public var diffExampleLimit: Int
    /// `--low-day-share`: the HTML report flags a chain's day whose rows fall below this share of
    /// its trailing 7-day median (0 flags nothing).
    public var lowDayShare = DailyRowsComparison.defaultShare
    /// Whether the run handles SIGINT/SIGTERM itself (the `chainetl` executable sets it; in-process
    /// tests leave the test process's signals alone).
    public var trapsSignals = false
    /// `--shared-rate-budget` (implied by `--claim`): each API key's per-second limit is shared
    /// with every runner on the database (docs/scaling.md "One rate budget per key").
    public var sharedRateBudget = false

    /// The extract lane's default width: one explorer extract per partition in flight while the
    /// next partition's extract waits for the key, so the key never idles between partitions.
    public static let defaultExtractJobs = 2
    /// `--jobs` when not given.
    public static let defaultJobs = 2

    public init(
        pipelineFile: URL, partitions: PartitionRequest = .yesterday, selections: [String] = [], force: Bool = false,
        dryRun: Bool = false, allowOpen: Bool = false, jobs: Int = RunRequest.defaultJobs, extractJobs: Int = RunRequest.defaultExtractJobs,
        databaseURL: String? = nil, workdir: URL,
        arguments: [String] = [], metricsFile: URL? = nil, refetch: Bool = false, diffExampleLimit: Int = 20
    ) {
        self.pipelineFile = pipelineFile
        self.partitions = partitions
        self.selections = selections
        self.force = force
        self.dryRun = dryRun
        self.allowOpen = allowOpen
        self.jobs = jobs
        self.extractJobs = extractJobs
        self.databaseURL = databaseURL
        self.workdir = workdir
        self.arguments = arguments
        self.metricsFile = metricsFile
        self.refetch = refetch
        self.diffExampleLimit = diffExampleLimit
    }
}

import ChainETLCore
import Foundation

/// Everything `chainetl plan` was asked, already parsed from the command line.
public struct PlanRequest: Sendable {
    public var pipelineFile: URL
    public var partitions: PartitionRequest
    /// `--select` values as typed (`failed` is refused: it lives in the ledger of past runs).
    public var selections: [String]
    /// `--force`: plan every selected unit as running.
    public var force: Bool
    /// `--database-url`: only read for the calls already counted today (`etl_api_quota`).
    public var databaseURL: String?
    public var workdir: URL
    /// `--probe`: sample each chain's explorer (a few calls) instead of trusting past checkpoints.
    public var probe: Bool

    public init(
        pipelineFile: URL, partitions: PartitionRequest = .yesterday, selections: [String] = [], force: Bool = false,
        databaseURL: String? = nil, workdir: URL, probe: Bool = false
    ) {
        self.pipelineFile = pipelineFile
        self.partitions = partitions
        self.selections = selections
        self.force = force
        self.databaseURL = databaseURL
        self.workdir = workdir
        self.probe = probe
    }
}

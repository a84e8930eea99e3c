import ChainETLCore
import Foundation

/// One (partition, stage) unit in the run report.
public struct UnitReport: Sendable, Codable, Equatable {
    public var stage: String
    public var kind: String
    public var partition: PartitionDay
    public var status: UnitStatus
    /// Why it ran or was skipped (e.g. `selected`, `config changed`, `checkpoint matches config and inputs`).
    public var reason: String
    public var startedAt: Date?
    public var finishedAt: Date?
    public var durationMS: Int?
    public var counts: RowCounts?
    public var details: [String: String]
    /// `contentHash` of the checkpoint the unit wrote or kept.
    public var checkpointHash: String?
    public var error: String?
    /// What the run changed against the replaced checkpoint and in the database (rerun diff).
    public var diff: UnitDiff?
    /// The need whose checkpoint made this unit fail (corrupt, missing): resuming starts there.
    public var resumeFrom: String?

    public init(
        stage: String, kind: String, partition: PartitionDay, status: UnitStatus, reason: String,
        startedAt: Date? = nil, finishedAt: Date? = nil, counts: RowCounts? = nil, details: [String: String] = [:],
        checkpointHash: String? = nil, error: String? = nil
    ) {
        self.stage = stage
        self.kind = kind
        self.partition = partition
        self.status = status
        self.reason = reason
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        if let startedAt, let finishedAt {
            durationMS = Int((finishedAt.timeIntervalSince(startedAt) * 1000).rounded())
        }
        self.counts = counts
        self.details = details
        self.checkpointHash = checkpointHash
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case stage, kind, partition, status, reason, counts, details, error, diff
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case durationMS = "duration_ms"
        case checkpointHash = "checkpoint_hash"
        case resumeFrom = "resume_from"
    }
}

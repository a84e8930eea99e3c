import Foundation

/// Where the checkpoint of one (pipeline, partition, stage) unit lives.
///
/// `<workdir>/checkpoints/<pipeline>/<partition>/<stage>/`, with the previous checkpoint kept in
/// `<stage>.prev/` and in-progress writes in `<stage>.tmp-<random>/` (SPEC §4).
public struct CheckpointLocation: Hashable, Sendable, CustomStringConvertible {
    public let workdir: URL
    public let pipeline: String
    public let partition: PartitionDay
    public let stageID: String

    public init(workdir: URL, pipeline: String, partition: PartitionDay, stageID: String) {
        self.workdir = workdir
        self.pipeline = pipeline
        self.partition = partition
        self.stageID = stageID
    }

    /// `<workdir>/checkpoints/<pipeline>/<partition>/`: the directory holding every stage of the partition.
    public var partitionDirectory: URL {
        workdir.appendingPathComponent("checkpoints", isDirectory: true)
            .appendingPathComponent(pipeline, isDirectory: true)
            .appendingPathComponent(partition.description, isDirectory: true)
    }

    /// `<workdir>/checkpoints/<pipeline>/<partition>/<stage>/`: the finished checkpoint.
    public var directory: URL {
        partitionDirectory.appendingPathComponent(stageID, isDirectory: true)
    }

    /// `<stage>.prev/`: the checkpoint that the last commit replaced.
    public var previousDirectory: URL {
        partitionDirectory.appendingPathComponent(stageID + ".prev", isDirectory: true)
    }

    /// The prefix of temporary directories (`<stage>.tmp-`), which are never read.
    var temporaryPrefix: String { stageID + ".tmp-" }

    /// `stage 'normalize' for 2026-11-20`, used in every message about this unit.
    var subject: String { "stage '\(stageID)' for \(partition)" }

    /// The `chainetl run` arguments that build this unit.
    var runArguments: String { "--partition \(partition) --select \(stageID)" }

    /// The `chainetl run` arguments that rebuild this unit even when a checkpoint exists.
    var rerunArguments: String { runArguments + " --force" }

    public var description: String { "\(pipeline)/\(partition)/\(stageID)" }
}

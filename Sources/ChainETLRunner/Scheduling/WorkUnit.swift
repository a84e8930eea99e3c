import ChainETLCore

/// One unit of work: a stage in one partition of the pipeline being run.
public struct WorkUnit: Hashable, Sendable, CustomStringConvertible {
    public var partition: PartitionDay
    public var stageID: String

    public init(partition: PartitionDay, stageID: String) {
        self.partition = partition
        self.stageID = stageID
    }

    public var description: String { "\(stageID)@\(partition)" }
}

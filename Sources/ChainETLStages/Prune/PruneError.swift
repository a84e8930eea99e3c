import ChainETLCore

/// Failures of a `prune` stage.
enum PruneError: Error, CustomStringConvertible {
    /// Dropping the old month partitions failed; the transaction was rolled back, nothing was dropped.
    case databaseFailed(partition: PartitionDay, cutoff: PartitionDay, underlying: any Error)

    var description: String {
        switch self {
        case .databaseFailed(let partition, let cutoff, let underlying):
            return "pruning transfers months that end on or before \(cutoff) (partition \(partition)) failed: "
                + "\(underlying); nothing was dropped, rerun the prune stage"
        }
    }
}

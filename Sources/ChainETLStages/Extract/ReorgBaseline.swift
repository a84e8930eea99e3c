import ChainETLCore
import ChainETLExplorers

/// Where the reorg check finds what the pipeline holds of the previous day, and where it records
/// that the day must be reloaded (`etl_refetch`).
protocol ReorgBaseline {
    /// The previous day's transfers of each target in `blocks`: from the store (`transfers` rows this
    /// pipeline loaded) when it holds the day, else from the day's raw checkpoint of this stage.
    /// Targets absent from both are left out; nil when nothing of the day is held at all.
    func windows(chainID: Int, targets: [ExtractionTarget], blocks: ClosedRange<Int>, day: PartitionDay) throws
        -> ReorgBaselineWindows?

    /// Marks `day` for reload (one open `etl_refetch` row per chain and token) and returns how many were written.
    func mark(_ marks: [RefetchLedger.Mark], day: PartitionDay) throws -> Int
}

/// What a `ReorgBaseline` holds for one chain's targets.
struct ReorgBaselineWindows: Sendable, Equatable {
    enum Origin: String, Sendable {
        /// `transfers` rows loaded by this pipeline.
        case store
        /// The previous day's raw checkpoint of this stage (nothing loaded yet).
        case checkpoint
    }

    var origin: Origin
    var windows: [ExtractionTarget: ReorgWindow]
}

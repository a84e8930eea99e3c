import ChainETLCore

/// The explorer calls one extract stage is expected to send on one chain, per partition and in
/// total over the partitions where it would run.
struct ChainCallEstimate: Sendable, Equatable {
    /// Where the row volume comes from.
    enum Basis: Sendable, Equatable, CustomStringConvertible {
        /// The stage's newest closed checkpoint on disk (its manifest's per-chain details).
        case history(PartitionDay)
        /// `--probe`: one sampled page per target on this day.
        case probe(PartitionDay)
        /// Nothing is known about the rows: one page per target is the least a walk costs.
        case minimum

        var description: String {
            switch self {
            case .history(let day): return "from the checkpoint of \(day)"
            case .probe(let day): return "from a probe of \(day)"
            case .minimum: return "a minimum: no checkpoint yet; --probe samples the explorer"
            }
        }
    }

    /// `eth_blockNumber` once, `getblocknobytime` twice: the cost of resolving a day.
    static let dayResolutionCalls = 3

    var stageID: String
    var chain: String
    /// Partitions where the stage would run.
    var partitions: Int
    var targets: Int
    var blocksPerDay: Int?
    /// Rows per partition over all targets, when known.
    var rowsPerDay: Int?
    var callsPerPartition: Int
    var basis: Basis

    var totalCalls: Int { callsPerPartition * partitions }

    /// Calls for one partition: the day's resolution, then per target one call per full page and
    /// one for the last (short) page. The walker's one-off page-size check and retries come on top,
    /// which is why a recorded count from history is preferred when the targets are unchanged.
    static func callsPerPartition(targets: Int, rowsPerTarget: Double?, offset: Int) -> Int {
        let pages = rowsPerTarget.map { Int(($0 / Double(max(1, offset))).rounded(.down)) + 1 } ?? 1
        return dayResolutionCalls + targets * pages
    }
}

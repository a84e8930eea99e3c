import ChainETLCore
import ChainETLExplorers

/// Failures of the extract stages (`extract/etherscan-logs`, `extract/etherscan-tokentx`,
/// `extract/blockscout`). Descriptions name the chain and never contain an API key.
enum ExtractError: Error, CustomStringConvertible {
    /// The chain names an `api_key_env` variable that is unset or empty.
    case missingAPIKey(chain: String, variable: String)
    /// The partition is not closed on the chain yet and `--allow-open` was not given.
    case dayOpen(
        chain: String, day: PartitionDay, lastBlock: Int, head: Int, confirmations: Int, closesAround: String)
    /// The explorer has no block for the partition: the day has not begun there, or, when the day
    /// is already over (`dayIsOver`), it lies before the chain's first block.
    case dayNotStarted(chain: String, day: PartitionDay, head: Int, dayIsOver: Bool)
    /// The explorer failed for one chain (and target, when the walk had started).
    case explorer(chain: String, target: String?, underlying: ExplorerError)
    /// The reorg check found the previous day changed but could not mark it in `etl_refetch`.
    case reorgNotMarked(chain: String, day: PartitionDay, reason: String, underlying: any Error)

    var description: String {
        switch self {
        case .missingAPIKey(let chain, let variable):
            return "chain \(chain) reads its api key from the environment variable \(variable), which is not set "
                + "or empty; export \(variable) before running (the key itself never goes in the pipeline file)"
        case .dayOpen(let chain, let day, let lastBlock, let head, let confirmations, let closesAround):
            return "partition \(day) is still open on chain \(chain): its last block so far is \(lastBlock), the head "
                + "is \(head) and \(confirmations) confirmations are required; it closes around \(closesAround); "
                + "rerun after that, or pass --allow-open to extract up to head - confirmations now"
        case .dayNotStarted(let chain, let day, let head, let dayIsOver):
            // A day that is over yet has no block: it lies before the chain's first block.
            if dayIsOver {
                return "partition \(day) is before the first block of chain \(chain): the explorer has no block in or "
                    + "before that day (its head is block \(head)), so the chain did not exist yet; pick a "
                    + "--partition or --from on or after the chain's genesis"
            }
            return "partition \(day) has not started on chain \(chain) (the explorer's head is block \(head) and no "
                + "block is at or after \(day)T00:00:00Z); run it once the day is over"
        case .explorer(let chain, let target, let underlying):
            let what = target.map { "chain \(chain), \($0)" } ?? "chain \(chain)"
            return "\(what): \(underlying)"
        case .reorgNotMarked(let chain, let day, let reason, let underlying):
            return "chain \(chain): partition \(day) changed at the explorer (\(reason)) but could not be marked for "
                + "reload in etl_refetch: \(underlying); rerun it with --partition \(day) --force once the database "
                + "is reachable"
        }
    }
}

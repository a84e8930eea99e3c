import ChainETLCore
import ChainETLExplorers

/// What one chain's extraction of a day did; recorded in the manifest details.
struct ChainExtractionSummary: Sendable, Equatable {
    var chain: String
    var chainID: Int
    var source: ExplorerSourceKind
    /// The day's first and last blocks per `getblocknobytime`.
    var firstBlock: Int
    var lastBlock: Int
    /// The last block walked (below `lastBlock` only for an open day under `--allow-open`).
    var endBlock: Int
    /// The head read once before walking.
    var head: Int
    var confirmations: Int
    var open: Bool
    var targets: Int
    var rows: Int
    /// HTTP calls, retries included.
    var calls: Int
    var throttles: Int
    var retries: Int
    /// The fewest calls that could have read the same rows: phase 1's calls, plus per walk
    /// `ceil(rows / page size)` (1 for a walk with no rows), plus one per reorg re-read.
    var callsLowerBound = 0
    /// What the reorg check of the previous day did.
    var reorg = ReorgCheck.Summary(status: .off)

    /// `chain.<name>.<field>` entries for the manifest.
    var details: [String: String] {
        let prefix = "chain.\(chain)."
        var details = [
            "chain_id": "\(chainID)", "source": source.rawValue, "first_block": "\(firstBlock)",
            "last_block": "\(lastBlock)", "end_block": "\(endBlock)", "head": "\(head)",
            "confirmations": "\(confirmations)", "targets": "\(targets)", "rows": "\(rows)", "calls": "\(calls)",
            "calls.lower_bound": "\(callsLowerBound)", "throttles": "\(throttles)", "retries": "\(retries)",
        ]
        if open { details["open"] = "true" }
        details.merge(reorg.details) { first, _ in first }
        return Dictionary(uniqueKeysWithValues: details.map { (prefix + $0.key, $0.value) })
    }
}

/// What a day's extraction did, across its chains.
struct DayExtractionSummary: Sendable, Equatable {
    var day: PartitionDay
    var chains: [ChainExtractionSummary]

    var rows: Int { chains.reduce(0) { $0 + $1.rows } }
    var calls: Int { chains.reduce(0) { $0 + $1.calls } }
    var callsLowerBound: Int { chains.reduce(0) { $0 + $1.callsLowerBound } }

    /// The manifest details: `chains`, `rows`, `calls`, `calls.lower_bound`, and every chain's
    /// `chain.<name>.*` entries.
    var details: [String: String] {
        var details = [
            "chains": chains.map(\.chain).joined(separator: ","), "rows": "\(rows)", "calls": "\(calls)",
            "calls.lower_bound": "\(callsLowerBound)",
        ]
        for chain in chains { details.merge(chain.details) { first, _ in first } }
        return details
    }
}

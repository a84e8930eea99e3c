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

    /// `chain.<name>.<field>` entries for the manifest.
    var details: [String: String] {
        let prefix = "chain.\(chain)."
        var details = [
            "chain_id": "\(chainID)", "source": source.rawValue, "first_block": "\(firstBlock)",
            "last_block": "\(lastBlock)", "end_block": "\(endBlock)", "head": "\(head)",
            "confirmations": "\(confirmations)", "targets": "\(targets)", "rows": "\(rows)", "calls": "\(calls)",
            "throttles": "\(throttles)", "retries": "\(retries)",
        ]
        if open { details["open"] = "true" }
        return Dictionary(uniqueKeysWithValues: details.map { (prefix + $0.key, $0.value) })
    }
}

/// What a day's extraction did, across its chains.
struct DayExtractionSummary: Sendable, Equatable {
    var day: PartitionDay
    var chains: [ChainExtractionSummary]

    var rows: Int { chains.reduce(0) { $0 + $1.rows } }
    var calls: Int { chains.reduce(0) { $0 + $1.calls } }

    /// The manifest details: `chains`, `rows`, `calls`, and every chain's `chain.<name>.*` entries.
    var details: [String: String] {
        var details = [
            "chains": chains.map(\.chain).joined(separator: ","), "rows": "\(rows)", "calls": "\(calls)",
        ]
        for chain in chains { details.merge(chain.details) { first, _ in first } }
        return details
    }
}

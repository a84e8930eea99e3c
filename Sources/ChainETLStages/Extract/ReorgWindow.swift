import ChainETLCore

/// What one side (the store, a checkpoint, or the explorer now) holds for the blocks of a reorg
/// window: per block its block hashes and its transfers by `transfer_id`.
///
/// Transfers are compared by `transfer_id`, which does not depend on the source (SPEC §6), so
/// the store loaded from getLogs compares with a tokentx re-read.
struct ReorgWindow: Sendable, Equatable {
    struct Block: Sendable, Equatable {
        /// Lowercase `0x` hashes; empty when the rows carry none.
        var hashes: Set<String> = []
        /// `transfer_id` → token address.
        var transfers: [String: String] = [:]
    }

    /// One block whose two sides differ.
    struct Difference: Sendable, Equatable {
        var block: Int
        /// The hashes before (baseline) and after (explorer now), sorted; empty when that side has no rows.
        var hashesBefore: [String]
        var hashesAfter: [String]
        /// Transfers on one side only.
        var onlyBefore: Int
        var onlyAfter: Int
        /// The tokens whose rows in this block are affected, sorted.
        var tokens: [String]

        /// Both sides carry hashes and they differ.
        var hashChanged: Bool { !hashesBefore.isEmpty && !hashesAfter.isEmpty && hashesBefore != hashesAfter }

        /// The `etl_refetch` reason: `reorg: block N hash changed from X to Y`, or which rows differ.
        func reason(baseline: String) -> String {
            if hashChanged {
                return "reorg: block \(block) hash changed from \(hashesBefore.joined(separator: ",")) to "
                    + "\(hashesAfter.joined(separator: ","))"
            }
            return "reorg: block \(block) transfers changed (\(onlyBefore) only in the \(baseline), \(onlyAfter) "
                + "only at the explorer)"
        }
    }

    private(set) var blocks: [Int: Block] = [:]

    var transferCount: Int { blocks.values.reduce(0) { $0 + $1.transfers.count } }

    /// Adds one transfer of `block`; `hash` nil or empty adds no hash.
    mutating func add(block: Int, hash: String?, transferID: String, token: String) {
        var entry = blocks[block, default: Block()]
        if let hash, !hash.isEmpty { entry.hashes.insert(hash.lowercased()) }
        entry.transfers[transferID.lowercased()] = token.lowercased()
        blocks[block] = entry
    }

    /// Every block where `before` (the baseline) and `after` (the explorer now) differ, ascending:
    /// hashes that changed, or transfers present on one side only.
    static func differences(before: ReorgWindow, after: ReorgWindow) -> [Difference] {
        let numbers = Set(before.blocks.keys).union(after.blocks.keys).sorted()
        var differences: [Difference] = []
        for number in numbers {
            let old = before.blocks[number] ?? Block()
            let new = after.blocks[number] ?? Block()
            let onlyBefore = old.transfers.filter { new.transfers[$0.key] == nil }
            let onlyAfter = new.transfers.filter { old.transfers[$0.key] == nil }
            var difference = Difference(
                block: number, hashesBefore: old.hashes.sorted(), hashesAfter: new.hashes.sorted(),
                onlyBefore: onlyBefore.count, onlyAfter: onlyAfter.count, tokens: [])
            guard difference.hashChanged || !onlyBefore.isEmpty || !onlyAfter.isEmpty else { continue }
            // A new hash puts every transfer of the block in doubt; otherwise only the unmatched ones.
            let affected =
                difference.hashChanged
                ? Array(old.transfers.values) + Array(new.transfers.values)
                : Array(onlyBefore.values) + Array(onlyAfter.values)
            difference.tokens = Set(affected).sorted()
            differences.append(difference)
        }
        return differences
    }
}

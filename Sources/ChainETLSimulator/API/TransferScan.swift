/// Walks a block range in order and collects the Transfer logs that match a filter.
///
/// Explorers page a block range as one ordered list (block, then log index); the scan stops as
/// soon as `skip + limit` rows are found, so early pages of long ranges stay cheap.
struct TransferScan {
    struct Filter {
        /// Tokens to keep; nil keeps every token.
        var tokenIndices: Set<Int>?
        /// getLogs lists ERC-721 Transfer logs too; tokentx never does.
        var includeERC721: Bool
        /// Keep logs where this account is the sender or the receiver.
        var account: Int?
        /// getLogs `topic1` / `topic2` / `topic3` equality filters.
        var fromAccount: Int?
        var toAccount: Int?
        var tokenID: UInt64?
        /// A filter value named something that cannot exist (unknown address): nothing matches.
        var matchesNothing = false
        /// Blockscout v2 `type=ERC-721` lists leave ERC-20 transfers out.
        var includeERC20 = true

        func matches(_ log: SimulatedLog) -> Bool {
            if log.isERC721 && !includeERC721 { return false }
            if !log.isERC721 && !includeERC20 { return false }
            if let tokenIndices, !tokenIndices.contains(log.tokenIndex) { return false }
            if let account, log.fromAccount != account, log.toAccount != account { return false }
            if let fromAccount, log.fromAccount != fromAccount { return false }
            if let toAccount, log.toAccount != toAccount { return false }
            if let tokenID {
                guard log.isERC721, log.value == .init(tokenID) else { return false }
            }
            return true
        }
    }

    /// One matching log with its block.
    struct Row {
        let block: SimulatedBlock
        let position: Int
        var log: SimulatedLog { block.logs[position] }
        var transaction: SimulatedTransaction { block.transactions[block.logs[position].transactionOrdinal] }
    }

    /// Rows `skip ..< skip + limit` of the ordered matches in `range`.
    static func collect(
        _ generator: ChainGenerator, range: ClosedRange<Int>, descending: Bool, filter: Filter, skip: Int, limit: Int
    ) -> [Row] {
        guard !filter.matchesNothing, limit > 0 else { return [] }
        var rows: [Row] = []
        var skipped = 0
        var number = descending ? range.upperBound : range.lowerBound
        while range.contains(number) {
            let block = generator.block(number)
            let count = block.logs.count
            for step in 0..<count {
                let position = descending ? count - 1 - step : step
                guard filter.matches(block.logs[position]) else { continue }
                if skipped < skip {
                    skipped += 1
                    continue
                }
                rows.append(Row(block: block, position: position))
                if rows.count == limit { return rows }
            }
            number += descending ? -1 : 1
        }
        return rows
    }
}

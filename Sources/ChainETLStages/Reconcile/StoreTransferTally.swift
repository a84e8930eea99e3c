import ChainETLCore
import ChainETLPostgres

/// The store side of reconcile: per (chain, token) transfer counts and exact value sums of one
/// UTC day in `transfers`, for the rows this pipeline loaded (`transfers.pipeline`).
enum StoreTransferTally {
    static func read(
        pipeline: String, partition: PartitionDay, chains: Set<Int>, tokens: Set<String>, stageID: String,
        on database: PostgresConnection
    ) throws -> [TallyKey: TransferTally] {
        let rows: PostgresRows
        do {
            rows = try database.execute(
                SQLQuery(
                    """
                    SELECT chain_id::text, token_address, count(*)::text, sum(value)::text
                    FROM transfers
                    WHERE pipeline = $1 AND block_time >= $2 AND block_time < $3 AND chain_id = ANY($4::bigint[])
                      AND (cardinality($5::text[]) = 0 OR token_address = ANY($5::text[]))
                    GROUP BY chain_id, token_address
                    """,
                    [
                        pipeline, partition.start, partition.end, PostgresTextArray(chains.sorted().map(String.init)),
                        PostgresTextArray(tokens.sorted()),
                    ]))
        } catch {
            throw ReconcileError.storeUnreadable(stage: stageID, underlying: error)
        }
        var tallies: [TallyKey: TransferTally] = [:]
        for row in 0..<rows.count {
            let chainText = rows.value(row: row, column: 0) ?? ""
            let countText = rows.value(row: row, column: 2) ?? ""
            let sumText = rows.value(row: row, column: 3) ?? ""
            guard let chainID = Int(chainText) else {
                throw ReconcileError.storeValue(column: "chain_id", value: chainText)
            }
            guard let count = Int(countText) else { throw ReconcileError.storeValue(column: "count", value: countText) }
            guard let sum = WideUnsigned(decimal: sumText) else {
                throw ReconcileError.storeValue(column: "sum(value)", value: sumText)
            }
            let key = TallyKey(chainID: chainID, token: (rows.value(row: row, column: 1) ?? "").lowercased())
            tallies[key] = TransferTally(count: count, sum: sum)
        }
        return tallies
    }
}

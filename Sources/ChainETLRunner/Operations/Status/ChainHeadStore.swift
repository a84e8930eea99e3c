import ChainETLPostgres
import Foundation

/// Records the chain heads seen, in `etl_chain_heads` (schemas/0005_status.sql).
public enum ChainHeadStore {
    /// Upserts the head of `chainID`: the latest observation wins.
    ///
    /// `time` is the head block's time when known, else the time it was observed.
    public static func record(
        chainID: Int, headBlock: Int, time: Date, observedAt: Date = Date(), observedBy: String,
        connection: PostgresConnection
    ) throws {
        do {
            try connection.execute(
                SQLQuery(
                    """
                    INSERT INTO etl_chain_heads (chain_id, head_block, head_time, observed_at, observed_by)
                    VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (chain_id) DO UPDATE SET head_block = EXCLUDED.head_block,
                      head_time = EXCLUDED.head_time, observed_at = EXCLUDED.observed_at,
                      observed_by = EXCLUDED.observed_by
                    """, [chainID, headBlock, time, observedAt, observedBy]))
        } catch {
            throw OperationsError.database(action: "record the head of chain \(chainID)", message: "\(error)")
        }
    }
}

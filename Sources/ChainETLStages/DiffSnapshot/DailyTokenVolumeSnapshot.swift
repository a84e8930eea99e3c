import ChainETLCore
import ChainETLPostgres

/// The `daily_token_volume` figures of one day: what an aggregate stage reports as changed.
///
/// Keys are `<chain_id>/<token_address>/<day>/transfer_count` and `…/volume_raw`. A database
/// where the table does not exist yet (migrations not applied) gives an empty snapshot.
public enum DailyTokenVolumeSnapshot {
    /// Reads the snapshot for `context.partition` on the stage's connection.
    public static func take(_ context: StageContext) throws -> [String: String] {
        try take(day: context.partition, on: context.database)
    }

    /// Reads the snapshot for `day` on `database`.
    public static func take(day: PartitionDay, on database: PostgresConnection) throws -> [String: String] {
        let exists = try database.execute(SQLQuery("SELECT to_regclass('daily_token_volume') IS NOT NULL"))
        guard exists.bool(row: 0, column: 0) == true else { return [:] }
        let rows = try database.execute(
            SQLQuery(
                """
                SELECT chain_id::text, token_address, transfer_count::text, volume_raw::text
                FROM daily_token_volume WHERE day = $1::date
                """, [day.description]))
        var snapshot: [String: String] = [:]
        for row in 0..<rows.count {
            let entity =
                (rows.value(row: row, column: 0) ?? "") + "/" + (rows.value(row: row, column: 1) ?? "") + "/"
                + day.description
            snapshot[entity + "/transfer_count"] = rows.value(row: row, column: 2) ?? ""
            snapshot[entity + "/volume_raw"] = rows.value(row: row, column: 3) ?? ""
        }
        return snapshot
    }
}

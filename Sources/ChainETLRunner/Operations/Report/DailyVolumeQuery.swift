import ChainETLCore
import ChainETLPostgres
import Foundation

/// Reads the daily volume of the top tokens from `daily_token_volume` for the report's chart.
public enum DailyVolumeQuery {
    /// The `limit` tokens with the largest raw volume over the `days` days ending `lastDay`, day by
    /// day, largest first. Empty when the aggregate tables do not exist (no aggregate stage yet).
    ///
    /// Ranking and values are exact (`numeric` in Postgres, text here).
    public static func topTokens(
        connection: PostgresConnection, through lastDay: PartitionDay, days: Int = 30, limit: Int = 5
    ) throws -> [RunReportDocument.DailyVolume] {
        let exists = try connection.execute(
            SQLQuery(
                unsafeSQL:
                    "SELECT to_regclass('daily_token_volume') IS NOT NULL AND to_regclass('token_metadata') IS NOT NULL"
            ))
        guard exists.bool(row: 0, column: 0) == true else { return [] }
        let firstDay = lastDay.advanced(by: -(max(1, days) - 1))
        let rows = try connection.execute(
            SQLQuery(
                """
                WITH top AS (
                  SELECT chain_id, token_address, sum(volume_raw) AS total FROM daily_token_volume
                  WHERE day BETWEEN $1::date AND $2::date
                  GROUP BY chain_id, token_address
                  ORDER BY total DESC, chain_id, token_address LIMIT $3
                )
                SELECT v.chain_id, v.token_address, v.day::text, v.volume_raw::text, m.token_symbol,
                  coalesce(v.token_decimals, m.token_decimals)
                FROM daily_token_volume v
                JOIN top ON top.chain_id = v.chain_id AND top.token_address = v.token_address
                LEFT JOIN token_metadata m ON m.chain_id = v.chain_id AND m.token_address = v.token_address
                WHERE v.day BETWEEN $1::date AND $2::date
                ORDER BY top.total DESC, v.chain_id, v.token_address, v.day
                """, [firstDay.description, lastDay.description, max(1, limit)]))
        var volumes: [RunReportDocument.DailyVolume] = []
        for row in 0..<rows.count {
            guard let chainID = rows.value(row: row, column: 0), let token = rows.value(row: row, column: 1),
                let dayText = rows.value(row: row, column: 2), let day = PartitionDay(dayText),
                let volume = rows.value(row: row, column: 3)
            else { continue }
            let symbol = rows.value(row: row, column: 4).flatMap { $0.isEmpty ? nil : $0 }
            let shortAddress = token.count > 12 ? "\(token.prefix(6))…\(token.suffix(4))" : token
            let label = "\(symbol.map { "\($0) \(shortAddress)" } ?? shortAddress) · chain \(chainID)"
            volumes.append(
                RunReportDocument.DailyVolume(
                    token: label, day: day, volume: volume, decimals: try rows.int(row: row, column: 5)))
        }
        return volumes
    }
}

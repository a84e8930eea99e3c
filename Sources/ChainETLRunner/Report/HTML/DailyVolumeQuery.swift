import ChainETLCore
import ChainETLPostgres
import Foundation

/// Reads the daily volume of the top tokens from `daily_token_volume` for the report's chart.
public enum DailyVolumeQuery {
    /// The `limit` top tokens over the `days` days ending `lastDay`, day by day, best first.
    /// Empty when the aggregate tables do not exist (no aggregate stage yet).
    ///
    /// Ranking never compares raw integers of different tokens (10^18 base units of an 18-decimal
    /// token are one token): tokens with a USD value on any day of the window come first, by total
    /// USD; then tokens with known decimals, by decimal-adjusted volume; then tokens with unknown
    /// decimals, by transfer count. Ranking and values are exact (`numeric` in Postgres, text here).
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
                WITH totals AS (
                  SELECT v.chain_id, v.token_address, sum(v.volume_usd) AS usd,
                    coalesce(max(v.token_decimals), max(m.token_decimals)) AS decimals,
                    sum(v.volume_raw) AS raw, sum(v.transfer_count) AS transfers
                  FROM daily_token_volume v
                  LEFT JOIN token_metadata m ON m.chain_id = v.chain_id AND m.token_address = v.token_address
                  WHERE v.day BETWEEN $1::date AND $2::date
                  GROUP BY v.chain_id, v.token_address
                ), top AS (
                  SELECT chain_id, token_address,
                    row_number() OVER (ORDER BY usd IS NULL, usd DESC, decimals IS NULL,
                      raw / power(10::numeric, coalesce(decimals, 0)) DESC, transfers DESC, chain_id, token_address
                    ) AS rank
                  FROM totals
                )
                SELECT v.chain_id, v.token_address, v.day::text, v.volume_raw::text, m.token_symbol,
                  coalesce(v.token_decimals, m.token_decimals), v.volume_usd::text
                FROM daily_token_volume v
                JOIN top ON top.chain_id = v.chain_id AND top.token_address = v.token_address AND top.rank <= $3
                LEFT JOIN token_metadata m ON m.chain_id = v.chain_id AND m.token_address = v.token_address
                WHERE v.day BETWEEN $1::date AND $2::date
                ORDER BY top.rank, v.day
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
                    token: label, day: day, volume: volume, decimals: try rows.int(row: row, column: 5),
                    usd: rows.value(row: row, column: 6), symbol: symbol))
        }
        return volumes
    }
}

import ChainETLCore
import ChainETLPostgres
import Foundation
import Testing

@testable import ChainETLRunner

@Suite("Daily volume for the report chart, against the real database")
struct DailyVolumeQueryTests {
    func insert(
        _ database: OperationsDatabase, chain: Int, token: String, day: String, volume: String, decimals: Int? = nil,
        usd: String? = nil, transfers: Int = 1
    ) throws {
        try database.connection.execute(
            SQLQuery(
                """
                INSERT INTO daily_token_volume (chain_id, token_address, day, transfer_count, volume_raw, unique_senders,
                  unique_receivers, mint_count, mint_raw, burn_count, burn_raw, all_transfer_count, all_value_raw,
                  token_decimals, volume_usd, last_transfer_at)
                VALUES ($1, $2, $3::date, $7, $4::numeric, 1, 1, 0, 0, 0, 0, $7, $4::numeric, $5, $6::numeric, $3::date)
                """, [chain, token, day, volume, decimals, usd, transfers]))
    }

    @Test("top tokens by exact total over the window, day by day, with symbols and decimals")
    func topTokens() throws {
        let database = try OperationsDatabase()
        let usdc = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
        let weth = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
        let dust = "0x00000000000000000000000000000000000000aa"
        // Totals that differ only beyond Double's precision: the ranking must still be exact.
        try insert(database, chain: 1, token: weth, day: "2026-11-19", volume: "100000000000000000000000000001")
        try insert(database, chain: 1, token: weth, day: "2026-11-20", volume: "1")
        try insert(database, chain: 1, token: usdc, day: "2026-11-20", volume: "100000000000000000000000000001")
        try insert(database, chain: 1, token: dust, day: "2026-11-20", volume: "5")
        try insert(database, chain: 1, token: usdc, day: "2026-10-01", volume: "999999999999999999999999999999999")
        try database.connection.execute(
            SQLQuery(
                """
                INSERT INTO token_metadata (chain_id, token_address, token_symbol, token_decimals, first_seen_day, last_seen_day)
                VALUES (1, $1, 'USDC', 6, '2026-01-01', '2026-11-20')
                """, [usdc]))

        // No prices: USDC (decimals known) ranks first; the tokens of unknown decimals follow by
        // transfer count (WETH 2, dust 1), never by their raw sums.
        let volumes = try DailyVolumeQuery.topTokens(
            connection: database.connection, through: PartitionDay("2026-11-20")!, days: 30, limit: 2)
        #expect(
            volumes.map(\.token) == ["USDC 0xa0b8…eb48 · chain 1", "0xc02a…6cc2 · chain 1", "0xc02a…6cc2 · chain 1"])
        #expect(volumes.map(\.volume) == ["100000000000000000000000000001", "100000000000000000000000000001", "1"])
        #expect(volumes.map(\.day.description) == ["2026-11-20", "2026-11-19", "2026-11-20"])
        #expect(volumes.map(\.decimals) == [6, nil, nil])
        #expect(volumes.first?.symbol == "USDC")
    }

    @Test("priced tokens rank by USD, then by decimal-adjusted volume, never by raw integers")
    func rankingByValue() throws {
        let database = try OperationsDatabase()
        let usdc = "0x00000000000000000000000000000000000000c1"
        let weth = "0x00000000000000000000000000000000000000e1"
        let meme = "0x00000000000000000000000000000000000000f1"
        let dai = "0x00000000000000000000000000000000000000d1"
        // USDC: $8.9B in 6-decimal units (raw 8.9e15); WETH: 3,000 tokens, unpriced, raw 3e21;
        // MEME: 10^9 tokens of 18 decimals (raw 1e27), unpriced; DAI: $1M priced, raw 1e24.
        try insert(
            database, chain: 1, token: usdc, day: "2026-11-20", volume: "8900000000000000", decimals: 6,
            usd: "8900000000.00")
        try insert(database, chain: 1, token: weth, day: "2026-11-20", volume: "3000000000000000000000", decimals: 18)
        try insert(
            database, chain: 1, token: meme, day: "2026-11-20", volume: "1000000000000000000000000000",
            decimals: 18)
        try insert(
            database, chain: 1, token: dai, day: "2026-11-20", volume: "1000000000000000000000000", decimals: 18,
            usd: "1000000")
        let volumes = try DailyVolumeQuery.topTokens(
            connection: database.connection, through: PartitionDay("2026-11-20")!, days: 7, limit: 4)
        #expect(volumes.map { String($0.token.prefix(6)) } == ["0x0000", "0x0000", "0x0000", "0x0000"])
        #expect(
            volumes.map(\.volume) == [
                "8900000000000000", "1000000000000000000000000", "1000000000000000000000000000",
                "3000000000000000000000",
            ])
        #expect(volumes.map(\.usd) == ["8900000000.00", "1000000", nil, nil])
    }

    @Test("no aggregate tables means no chart data, not an error")
    func missingTables() throws {
        let database = try OperationsDatabase()
        try database.connection.execute(SQLQuery(unsafeSQL: "DROP TABLE daily_token_volume CASCADE"))
        let volumes = try DailyVolumeQuery.topTokens(
            connection: database.connection, through: PartitionDay("2026-11-20")!)
        #expect(volumes.isEmpty)
    }
}

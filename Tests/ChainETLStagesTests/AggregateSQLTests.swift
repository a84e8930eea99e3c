import ChainETLCore
import Foundation
import Testing

@testable import ChainETLStages

/// The aggregate SQL (schemas/0002, 0003, 0008 and 0011, pipelines/sql) against a real PostgreSQL, compared with
/// values computed by hand from Fixtures/sql/aggregates.transfers.two-days.sql.
///
/// Every test works in its own schema. The files run with the session time zone Asia/Kolkata
/// (+05:30) to prove that days and hours are UTC whatever the session says.
@Suite("Aggregate SQL")
struct AggregateSQLTests {
    // MARK: Hand-computed big values

    /// 2^256 − 1, the largest uint256.
    static let max256 = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
    /// 2^256 − 2.
    static let max256Less1 = "115792089237316195423570985008687907853269984665640564039457584007913129639934"
    /// 2^256: (2^256 − 1) + 1, past uint256.
    static let pow256 = "115792089237316195423570985008687907853269984665640564039457584007913129639936"
    /// 2^256 − 7: (2^256 − 2) − 5.
    static let pow256Less7 = "115792089237316195423570985008687907853269984665640564039457584007913129639929"
    /// 2^257 − 3 = (2^256 − 2) + (2^256 − 1): token C's day-1 volume, overflowing uint256.
    static let volumeC = "231584178474632390847141970017375815706539969331281128078915168015826259279869"
    /// 2^257 − 2 = 2 × (2^256 − 1): token C's mints.
    static let mintsC = "231584178474632390847141970017375815706539969331281128078915168015826259279870"
    /// 2^257 − 4 = 2 × (2^256 − 2): a stacked address counted twice.
    static let doubleMax256Less1 = "231584178474632390847141970017375815706539969331281128078915168015826259279868"
    /// 2^257 + 2 = (2^257 − 3) + 5: token C's 7-day volume.
    static let volumeC7d = "231584178474632390847141970017375815706539969331281128078915168015826259279874"
    /// 2^258 − 5 = 3 × (2^256 − 1) + (2^256 − 2): every token C value on day 1.
    static let allValueC = "463168356949264781694283940034751631413079938662562256157830336031652518559739"
    /// (2^257 − 3) × 10^-18 × 2.5, exactly.
    static let volumeUSDC = "578960446186580977117854925043439539266349923328202820197287.9200395656481996725"

    static let day1 = PartitionDay("2026-11-30")!
    static let day2 = PartitionDay("2026-12-01")!

    /// The daily files in the order the aggregate stage runs them.
    static let dailyFiles = [
        "token_metadata", "daily_token_volume", "daily_address_volume", "hourly_token_volume",
        "holder_balances", "entity_daily_volume", "token_summary",
    ]
    /// Every table the daily files write.
    static let aggregateTables = [
        "token_metadata", "daily_token_volume", "daily_address_volume", "hourly_token_volume",
        "daily_holder_flows", "holder_balances", "token_holder_counts", "entity_daily_volume", "token_summary_by_day",
    ]

    // MARK: Daily tables

    @Test func dailyTokenVolumeCountsVolumeMintsAndBurnsSeparately() throws {
        try withAggregatedSchema { db in
            let rows = try db.rows(
                """
                SELECT chain_id, right(token_address, 2), day, transfer_count, volume_raw, unique_senders,
                       unique_receivers, mint_count, mint_raw, burn_count, burn_raw, all_transfer_count,
                       all_value_raw, token_decimals, volume_usd, last_transfer_at
                FROM daily_token_volume ORDER BY day, chain_id, token_address
                """)
            #expect(
                rows == [
                    // A: T2+T3 (identical, both count) + T5 = 700; T4 self-transfer and T1/T6 excluded;
                    // fixed price 1.00 → 700e-6. T0 (23:59:59.999999 the day before) is not in the day.
                    "1|aa|2026-11-30|3|700|2|2|1|1000|1|40|6|1790|6|0.0007|2026-11-30 23:59:59.999999+00",
                    // B: unknown decimals → no USD although a price exists.
                    "1|bb|2026-11-30|1|1234|1|1|1|5000|0|0|2|6234|||2026-11-30 03:30:00+00",
                    "1|cc|2026-11-30|2|\(Self.volumeC)|2|2|2|\(Self.mintsC)|0|0|4|\(Self.allValueC)|18|\(Self.volumeUSDC)|2026-11-30 04:30:00+00",
                    // Same token address on chain 25 is its own token; no price → null, not 0.
                    "25|aa|2026-11-30|1|7|1|1|0|0|0|0|1|7|6||2026-11-30 10:00:00+00",
                    // T13 at exactly 00:00:00 belongs to 12-01; daily price 0.999 beats the fixed 1.00.
                    "1|aa|2026-12-01|2|210|1|2|1|500|1|70|4|780|6|0.00020979|2026-12-01 07:00:00+00",
                    "1|bb|2026-12-01|1|234|1|1|0|0|0|0|1|234|||2026-12-01 08:00:00+00",
                    // C has no price on 12-01.
                    "1|cc|2026-12-01|1|5|1|1|0|0|0|0|1|5|18||2026-12-01 09:00:00+00",
                ])
        }
    }

    @Test func dailyAddressVolumeIsPerAddressOverVolumeTransfers() throws {
        try withAggregatedSchema { db in
            let rows = try db.rows(
                """
                SELECT chain_id, right(token_address, 2), right(address, 2), day, sent_raw, received_raw,
                       sent_count, received_count
                FROM daily_address_volume ORDER BY day, chain_id, token_address, address
                """)
            #expect(
                rows == [
                    "1|aa|11|2026-11-30|600|0|2|0",
                    "1|aa|22|2026-11-30|100|600|1|2",
                    "1|aa|33|2026-11-30|0|100|0|1",
                    "1|bb|33|2026-11-30|1234|0|1|0",
                    "1|bb|44|2026-11-30|0|1234|0|1",
                    "1|cc|11|2026-11-30|\(Self.max256Less1)|0|1|0",
                    "1|cc|22|2026-11-30|0|\(Self.max256Less1)|0|1",
                    "1|cc|33|2026-11-30|\(Self.max256)|0|1|0",
                    "1|cc|44|2026-11-30|0|\(Self.max256)|0|1",
                    "25|aa|11|2026-11-30|7|0|1|0",
                    "25|aa|22|2026-11-30|0|7|0|1",
                    "1|aa|11|2026-12-01|0|200|0|1",
                    "1|aa|22|2026-12-01|210|0|2|0",
                    "1|aa|33|2026-12-01|0|10|0|1",
                    "1|bb|33|2026-12-01|0|234|0|1",
                    "1|bb|44|2026-12-01|234|0|1|0",
                    "1|cc|11|2026-12-01|0|5|0|1",
                    "1|cc|22|2026-12-01|5|0|1|0",
                ])
        }
    }

    @Test func hourlyTokenVolumeUsesUTCHours() throws {
        try withAggregatedSchema { db in
            let rows = try db.rows(
                """
                SELECT chain_id, right(token_address, 2), hour, transfer_count, volume_raw
                FROM hourly_token_volume ORDER BY hour, chain_id, token_address
                """)
            #expect(
                rows == [
                    "1|aa|2026-11-30 01:00:00+00|2|600",
                    "1|bb|2026-11-30 03:00:00+00|1|1234",
                    "1|cc|2026-11-30 04:00:00+00|2|\(Self.volumeC)",
                    "25|aa|2026-11-30 10:00:00+00|1|7",
                    "1|aa|2026-11-30 13:00:00+00|1|100",
                    "1|aa|2026-12-01 00:00:00+00|1|200",
                    "1|aa|2026-12-01 05:00:00+00|1|10",
                    "1|bb|2026-12-01 08:00:00+00|1|234",
                    "1|cc|2026-12-01 09:00:00+00|1|5",
                ])
        }
    }

    @Test func holderFlowsAndBalancesIncludeMintsBurnsAndSelfTransfers() throws {
        try withAggregatedSchema { db in
            let flows = try db.rows(
                """
                SELECT chain_id, right(token_address, 2), right(holder, 2), day, inflow_raw, outflow_raw,
                       to_char(first_seen, 'HH24:MI:SS.US'), to_char(last_active, 'HH24:MI:SS.US')
                FROM daily_holder_flows ORDER BY day, chain_id, token_address, holder
                """)
            #expect(
                flows == [
                    "1|aa|11|2026-11-30|1000|600|00:00:00.000000|01:15:00.000000",
                    // The self-transfer T4 adds 50 in and 50 out.
                    "1|aa|22|2026-11-30|650|150|01:15:00.000000|13:00:00.000000",
                    "1|aa|33|2026-11-30|100|40|13:00:00.000000|23:59:59.999999",
                    "1|bb|33|2026-11-30|5000|1234|03:00:00.000000|03:30:00.000000",
                    "1|bb|44|2026-11-30|1234|0|03:30:00.000000|03:30:00.000000",
                    "1|cc|11|2026-11-30|\(Self.max256)|\(Self.max256Less1)|04:00:00.000000|04:10:00.000000",
                    "1|cc|22|2026-11-30|\(Self.max256Less1)|0|04:10:00.000000|04:10:00.000000",
                    "1|cc|33|2026-11-30|\(Self.max256)|\(Self.max256)|04:20:00.000000|04:30:00.000000",
                    "1|cc|44|2026-11-30|\(Self.max256)|0|04:30:00.000000|04:30:00.000000",
                    "25|aa|11|2026-11-30|0|7|10:00:00.000000|10:00:00.000000",
                    "25|aa|22|2026-11-30|7|0|10:00:00.000000|10:00:00.000000",
                    "1|aa|11|2026-12-01|200|0|00:00:00.000000|00:00:00.000000",
                    "1|aa|22|2026-12-01|0|210|00:00:00.000000|05:00:00.000000",
                    "1|aa|33|2026-12-01|10|70|05:00:00.000000|06:00:00.000000",
                    "1|aa|44|2026-12-01|500|0|07:00:00.000000|07:00:00.000000",
                    "1|bb|33|2026-12-01|234|0|08:00:00.000000|08:00:00.000000",
                    "1|bb|44|2026-12-01|0|234|08:00:00.000000|08:00:00.000000",
                    "1|cc|11|2026-12-01|5|0|09:00:00.000000|09:00:00.000000",
                    "1|cc|22|2026-12-01|0|5|09:00:00.000000|09:00:00.000000",
                ])
            let balances = try db.rows(
                """
                SELECT chain_id, right(token_address, 2), right(holder, 2), balance_raw, first_seen, last_active
                FROM holder_balances ORDER BY chain_id, token_address, holder
                """)
            #expect(
                balances == [
                    "1|aa|11|600|2026-11-30 00:00:00+00|2026-12-01 00:00:00+00",
                    "1|aa|22|290|2026-11-30 01:15:00+00|2026-12-01 05:00:00+00",
                    // 0x33..33 went 100 − 40 + 10 − 70 = 0 on token A: removed.
                    "1|aa|44|500|2026-12-01 07:00:00+00|2026-12-01 07:00:00+00",
                    "1|bb|33|4000|2026-11-30 03:00:00+00|2026-12-01 08:00:00+00",
                    "1|bb|44|1000|2026-11-30 03:30:00+00|2026-12-01 08:00:00+00",
                    "1|cc|11|6|2026-11-30 04:00:00+00|2026-12-01 09:00:00+00",
                    "1|cc|22|\(Self.pow256Less7)|2026-11-30 04:10:00+00|2026-12-01 09:00:00+00",
                    "1|cc|44|\(Self.max256)|2026-11-30 04:30:00+00|2026-11-30 04:30:00+00",
                    // History starts after 0x11..11 received on chain 25: a negative balance is kept.
                    "25|aa|11|-7|2026-11-30 10:00:00+00|2026-11-30 10:00:00+00",
                    "25|aa|22|7|2026-11-30 10:00:00+00|2026-11-30 10:00:00+00",
                ])
            let counts = try db.rows(
                "SELECT chain_id, right(token_address, 2), holders FROM token_holder_counts ORDER BY 1, 2")
            #expect(counts == ["1|aa|3", "1|bb|2", "1|cc|3", "25|aa|1"])
            #expect(try db.rows(Self.balanceMismatchQuery).isEmpty)
        }
    }

    // MARK: Summaries and views

    @Test func tokenSummaryIsAsOfTheLatestAggregatedDay() throws {
        try withAggregatedSchema(days: [Self.day1]) { db in
            // After day 1 only: 0x11..11 400, 0x22..22 500, 0x33..33 60 hold token A.
            #expect(
                try db.rows(
                    """
                    SELECT as_of_day, volume_24h_raw, transfers_24h, holders, supply_raw, volume_24h_usd
                    FROM token_summary WHERE chain_id = 1 AND token_address LIKE '0xaa%'
                    """) == ["2026-11-30|700|3|3|960|0.0007"])
            try Self.aggregate(db, day: Self.day2)
            let rows = try db.rows(
                """
                SELECT chain_id, right(token_address, 2), as_of_day, token_symbol, token_name, token_decimals,
                       volume_24h_raw, volume_7d_raw, volume_30d_raw, volume_total_raw,
                       transfers_24h, transfers_7d, transfers_30d, transfers_total,
                       unique_senders_24h, unique_receivers_24h, holders, supply_raw, last_transfer_at,
                       volume_24h_usd, volume_7d_usd, volume_30d_usd, volume_total_usd
                FROM token_summary ORDER BY chain_id, token_address
                """)
            #expect(
                rows == [
                    // supply = (1000 + 500) mints − (40 + 70) burns.
                    "1|aa|2026-12-01|USDC|USD Coin|6|210|910|910|910|2|5|5|5|1|2|3|1390|2026-12-01 07:00:00+00|0.00020979|0.00090979|0.00090979|0.00090979",
                    "1|bb|2026-12-01|MYST|Mystery||234|1468|1468|1468|1|2|2|2|1|1|2|5000|2026-12-01 08:00:00+00||||",
                    // 7d USD is null: 12-01 has volume but no price.
                    "1|cc|2026-12-01|BIG|Big Values|18|5|\(Self.volumeC7d)|\(Self.volumeC7d)|\(Self.volumeC7d)|1|3|3|3|1|1|3|\(Self.mintsC)|2026-12-01 09:00:00+00||||",
                    // Idle on the as-of day: 24h is 0; unpriced → USD null, never 0.
                    "25|aa|2026-12-01|USDC|USD Coin|6|0|7|7|7|0|1|1|1|0|0|1|0|2026-11-30 10:00:00+00||||",
                ])

            // Re-aggregating an older day keeps the summary as of the latest day.
            try Self.aggregate(db, day: Self.day1)
            #expect(try db.rows("SELECT DISTINCT as_of_day FROM token_summary") == ["2026-12-01"])

            // Once priced (and day 1 re-aggregated), an idle 24h window is worth exactly 0 and
            // 7d is 7e-6 × 2.
            try db.execute(
                "INSERT INTO token_fixed_prices VALUES (25, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 2);")
            try Self.aggregate(db, day: Self.day1, files: ["daily_token_volume"])
            try Self.aggregate(db, day: Self.day2, files: ["token_summary"])
            #expect(
                try db.rows("SELECT volume_24h_usd, volume_7d_usd FROM token_summary WHERE chain_id = 25")
                    == ["0|0.000014"])
        }
    }

    @Test func topTokensAndPlatformStats() throws {
        try withAggregatedSchema { db in
            let top = try db.rows(
                """
                SELECT chain_id, rank, right(token_address, 2), token_symbol, volume_raw, volume, volume_usd,
                       transfers, unique_senders_24h, holders
                FROM top_tokens_7d ORDER BY chain_id, rank
                """)
            #expect(
                top == [
                    "1|1|aa|USDC|910|0.00091|0.00090979|5|1|3",
                    "1|2|cc|BIG|\(Self.volumeC7d)|231584178474632390847141970017375815706539969331281128078915.168015826259279874||3|1|3",
                    "1|3|bb|MYST|1468|||2|1|2",
                    "25|1|aa|USDC|7|0.000007||1|0|1",
                ])
            #expect(
                try db.rows(
                    "SELECT chain_id, rank, right(token_address, 2), volume_raw FROM top_tokens_24h ORDER BY 1, 2")
                    == ["1|1|aa|210", "1|2|cc|5", "1|3|bb|234", "25|1|aa|0"])
            #expect(
                try db.rows(
                    "SELECT chain_id, rank, right(token_address, 2), volume_raw FROM top_tokens_total ORDER BY 1, 2")
                    == ["1|1|aa|910", "1|2|cc|\(Self.volumeC7d)", "1|3|bb|1468", "25|1|aa|7"])
            let stats = try db.rows(
                """
                SELECT scope, chain_id, as_of_day, tokens, active_tokens_24h, transfers_24h, transfers_7d,
                       transfers_30d, transfers_total, unique_senders_24h, holder_positions, volume_24h_usd,
                       volume_7d_usd, volume_30d_usd, volume_total_usd, tokens_unpriced_24h, tokens_unpriced_7d
                FROM platform_stats ORDER BY scope, chain_id
                """)
            #expect(
                stats == [
                    // Senders on 12-01: 0x22..22 (A, C) and 0x44..44 (B).
                    "all||2026-12-01|4|3|4|11|11|11|2|9|0.00020979|0.00090979|0.00090979|0.00090979|3|3",
                    "chain|1|2026-12-01|3|3|4|10|10|10|2|8|0.00020979|0.00090979|0.00090979|0.00090979|2|2",
                    "chain|25|2026-12-01|1|0|0|1|1|1|0|1|||||1|1",
                ])
        }
    }

    @Test func addressVolumeCurrentAddsTheLiveDeltaToSnapshots() throws {
        try withAggregatedSchema { db in
            // Snapshots for 11-30 and 12-01, plus live T19 (A 0x11→0x22, 1) and T20 (C 0x11→0x44, 1);
            // the live mint T21 is not volume and T0 (before the first snapshot) is not counted.
            let rows = try db.rows(
                """
                SELECT chain_id, right(token_address, 2), right(address, 2), sent_raw, received_raw,
                       sent_count, received_count
                FROM address_volume_current ORDER BY chain_id, token_address, address
                """)
            #expect(
                rows == [
                    "1|aa|11|601|200|3|1",
                    "1|aa|22|310|601|3|3",
                    "1|aa|33|0|110|0|2",
                    "1|bb|33|1234|234|1|1",
                    "1|bb|44|234|1234|1|1",
                    "1|cc|11|\(Self.max256)|5|2|1",
                    "1|cc|22|5|\(Self.max256Less1)|1|1",
                    "1|cc|33|\(Self.max256)|0|1|0",
                    "1|cc|44|0|\(Self.pow256)|0|2",
                    "25|aa|11|7|0|1|0",
                    "25|aa|22|0|7|0|1",
                ])
        }
    }

    // MARK: Incrementality

    @Test func rerunningADayLeavesEveryTableIdentical() throws {
        try withAggregatedSchema { db in
            let before = try Self.dump(db)
            try Self.aggregate(db, day: Self.day1)
            try Self.aggregate(db, day: Self.day2)
            try Self.aggregate(db, day: Self.day2)
            #expect(try Self.dump(db) == before)
            #expect(before["daily_token_volume"]?.count == 7)
        }
    }

    @Test func aggregationOrderDoesNotMatter() throws {
        try withAggregatedSchema { inOrder in
            try withAggregatedSchema(days: [Self.day2, Self.day1]) { reversed in
                // The summary as of day2 sums day1: built before day1 it lacks it until day2 is
                // aggregated again (the runner orders aggregate units by day, docs/runner.md).
                try Self.aggregate(reversed, day: Self.day2)
                let expected = try Self.dump(inOrder)
                #expect(try Self.dump(reversed) == expected)
            }
        }
    }

    /// A corrected day D changes D's rows and the summaries as of D; the summaries of later days
    /// change when those days are aggregated again, nothing earlier ever changes, and the result
    /// equals a clean build of the corrected data.
    @Test func aCorrectedDayChangesThatDayAndTheSummariesAsOfItAndLater() throws {
        try withAggregatedSchema { db in
            let before = try Self.dump(db)
            let day2Before = try Self.rowsOfDay(db, Self.day2)
            let summaryDay2Before = try Self.summaryRows(db, asOf: Self.day2)
            #expect(try Self.rowsOfDay(db, Self.day1) == Self.rowsOfDayFromDump(before, Self.day1))
            let hourlyBefore = try db.rows(
                "SELECT t::text FROM hourly_token_volume t WHERE hour <> '2026-11-30 13:00:00+00' ORDER BY 1")
            func summaryOfTokenA(asOf day: PartitionDay) throws -> [String] {
                try db.rows(
                    """
                    SELECT volume_7d_raw, holders, supply_raw FROM token_summary_by_day
                    WHERE as_of_day = '\(day)' AND chain_id = 1 AND token_address LIKE '0xaa%'
                    """)
            }
            #expect(try summaryOfTokenA(asOf: Self.day1) == ["700|3|960"])
            try db.execute(try Self.fixture("aggregates.transfers.correction.sql"))
            try Self.aggregate(db, day: Self.day1)

            #expect(try Self.rowsOfDay(db, Self.day2) == day2Before)
            #expect(try Self.rowsOfDay(db, Self.day1) != Self.rowsOfDayFromDump(before, Self.day1))
            #expect(
                try db.rows(
                    """
                    SELECT right(address, 2), sent_raw, received_raw FROM daily_address_volume
                    WHERE day = '2026-11-30' AND chain_id = 1 AND token_address LIKE '0xaa%' ORDER BY address
                    """) == ["11|600|0", "22|120|600", "44|0|120"])
            // As of 11-30: volume 700 − 100 + 120; holders 0x11 400, 0x22 480, 0x44 120 (0x33 at −40).
            #expect(try summaryOfTokenA(asOf: Self.day1) == ["720|3|960"])
            // The later day keeps its summary until it is aggregated again.
            #expect(try Self.summaryRows(db, asOf: Self.day2) == summaryDay2Before)
            #expect(
                try db.rows(
                    """
                    SELECT right(holder, 2), balance_raw FROM holder_balances
                    WHERE chain_id = 1 AND token_address LIKE '0xaa%' ORDER BY holder
                    """) == ["11|600", "22|270", "33|-100", "44|620"])
            #expect(try db.rows(Self.balanceMismatchQuery).isEmpty)
            // Only the corrected hour changed.
            #expect(
                try db.rows("SELECT volume_raw FROM hourly_token_volume WHERE hour = '2026-11-30 13:00:00+00'") == [
                    "120"
                ])
            #expect(
                try db.rows(
                    "SELECT t::text FROM hourly_token_volume t WHERE hour <> '2026-11-30 13:00:00+00' ORDER BY 1")
                    == hourlyBefore)

            // Aggregating the later day again carries the correction into its summary and leaves the
            // earlier day's summary as it was.
            let summaryDay1 = try Self.summaryRows(db, asOf: Self.day1)
            try Self.aggregate(db, day: Self.day2)
            #expect(try Self.summaryRows(db, asOf: Self.day1) == summaryDay1)
            #expect(try Self.rowsOfDay(db, Self.day2) == day2Before)
            // 7d volume 910 − 100 + 120; holders 0x11 600, 0x22 270, 0x44 620 (0x33 is at −100).
            #expect(
                try db.rows(
                    """
                    SELECT volume_7d_raw, holders, supply_raw FROM token_summary
                    WHERE chain_id = 1 AND token_address LIKE '0xaa%'
                    """) == ["930|3|1390"])

            // Incremental result == a clean build of the corrected data.
            try withAggregatedSchema(extraFixtures: ["aggregates.transfers.correction.sql"]) { clean in
                let expected = try Self.dump(clean)
                #expect(try Self.dump(db) == expected)
            }
        }
    }

    /// Rebuilding the day that defined a holder's first_seen or last_active, or the day of a
    /// holder whose balance row was dropped at 0, reads the holder's other days: the balances,
    /// first_seen/last_active and holder counts equal a full recompute after every step.
    @Test func rebuildingAHoldersFirstOrLastDayKeepsFirstSeenAndLastActiveExact() throws {
        try withSchema { db in
            // Token 0xdd..dd on chain 1 over three days; U1..U3 = 0x11..11 .. 0x33..33.
            //   11-30: Z→U1 100 (02:00), U1→U2 30 (05:00)
            //   12-01: U2→U3 30 (06:00, U2 back to 0: its row is dropped), U1→U3 10 (07:00)
            //   12-02: U1→U2 5 (08:00)
            try db.execute(
                """
                SELECT chainetl_ensure_transfer_partition('2026-11-30 00:00:00+00');
                SELECT chainetl_ensure_transfer_partition('2026-12-01 00:00:00+00');
                INSERT INTO transfers
                    (transfer_id, chain_id, block_number, block_time, tx_hash, log_index, occurrence,
                     token_address, from_address, to_address, value, token_decimals, source, pipeline)
                SELECT substring(sha256(convert_to(v.tx, 'UTF8')) FROM 1 FOR 16), 1, v.block,
                       v.at::timestamptz, '0x' || repeat(v.tx, 32), 0, 0, '0x' || repeat('d', 40),
                       '0x' || repeat(v.sender, 40), '0x' || repeat(v.receiver, 40), v.value, 6,
                       'fixture', 'aggregates-test'
                FROM (VALUES ('a1', 1, '2026-11-30 02:00:00+00', '0', '1', 100),
                             ('a2', 2, '2026-11-30 05:00:00+00', '1', '2', 30),
                             ('b1', 3, '2026-12-01 06:00:00+00', '2', '3', 30),
                             ('b2', 4, '2026-12-01 07:00:00+00', '1', '3', 10),
                             ('c1', 5, '2026-12-02 08:00:00+00', '1', '2', 5))
                    AS v(tx, block, at, sender, receiver, value);
                """)
            let days = [Self.day1, Self.day2, Self.day2.advanced(by: 1)]
            let files = ["holder_balances"]
            func balances() throws -> [String] {
                try db.rows(
                    """
                    SELECT right(holder, 1), balance_raw, to_char(first_seen, 'MM-DD HH24'),
                           to_char(last_active, 'MM-DD HH24')
                    FROM holder_balances ORDER BY holder
                    """)
            }
            func expectExact(_ step: String) throws {
                #expect(try db.rows(Self.recomputedBalanceMismatchQuery).isEmpty, "\(step): balances")
                #expect(try db.rows(Self.recomputedHolderCountMismatchQuery).isEmpty, "\(step): holder counts")
            }

            // Out of order: the middle day, the last, then the first.
            for day in [days[1], days[2], days[0]] { try Self.aggregate(db, day: day, files: files) }
            try expectExact("out of order")
            #expect(try balances() == ["1|55|11-30 02|12-02 08", "2|5|11-30 05|12-02 08", "3|40|12-01 06|12-01 07"])
            #expect(try db.rows("SELECT holders FROM token_holder_counts") == ["3"])

            // U2's first day loses its transfer: first_seen moves to its next day (12-01, balance -25).
            try db.execute("DELETE FROM transfers WHERE tx_hash = '0x' || repeat('a2', 32)")
            try Self.aggregate(db, day: days[0], files: files)
            try expectExact("first day corrected")
            #expect(try balances() == ["1|85|11-30 02|12-02 08", "2|-25|12-01 06|12-02 08", "3|40|12-01 06|12-01 07"])
            #expect(try db.rows("SELECT holders FROM token_holder_counts") == ["2"])

            // The last day loses its transfer: U1's last_active moves back to 12-01; U2 had only
            // 12-01 left, so its balance row is rebuilt from that day alone.
            try db.execute("DELETE FROM transfers WHERE tx_hash = '0x' || repeat('c1', 32)")
            try Self.aggregate(db, day: days[2], files: files)
            try expectExact("last day corrected")
            #expect(try balances() == ["1|90|11-30 02|12-01 07", "2|-30|12-01 06|12-01 06", "3|40|12-01 06|12-01 07"])

            // U2 reaches 0 (row dropped), then the day of its dropped row is rebuilt unchanged.
            try db.execute(
                """
                INSERT INTO transfers
                    (transfer_id, chain_id, block_number, block_time, tx_hash, log_index, occurrence,
                     token_address, from_address, to_address, value, token_decimals, source, pipeline)
                VALUES (substring(sha256(convert_to('c2', 'UTF8')) FROM 1 FOR 16), 1, 6,
                        '2026-12-02 09:00:00+00', '0x' || repeat('c2', 32), 0, 0, '0x' || repeat('d', 40),
                        '0x' || repeat('1', 40), '0x' || repeat('2', 40), 30, 6, 'fixture', 'aggregates-test')
                """)
            try Self.aggregate(db, day: days[2], files: files)
            try expectExact("holder back to zero")
            #expect(try balances() == ["1|60|11-30 02|12-02 09", "3|40|12-01 06|12-01 07"])
            let before = try Self.dump(db)
            for day in days { try Self.aggregate(db, day: day, files: files) }
            try expectExact("rerun")
            #expect(try Self.dump(db) == before)
            // A later day brings U2 back: first_seen is still its first day with flows (12-01).
            try db.execute("DELETE FROM transfers WHERE tx_hash = '0x' || repeat('c2', 32)")
            try Self.aggregate(db, day: days[2], files: files)
            try expectExact("holder back from zero")
            #expect(try balances() == ["1|90|11-30 02|12-01 07", "2|-30|12-01 06|12-01 06", "3|40|12-01 06|12-01 07"])
        }
    }

    // MARK: Attribution

    @Test func stackCountsAnAddressOncePerRoleDedupeOncePerEntity() throws {
        try withAggregatedSchema { db in
            let stacked = try Self.entityRows(db)
            #expect(
                stacked == [
                    // 0x11 (treasury) + 0x22 (acme-fac's pay-to, via the owner marker).
                    "acme|1|aa|2026-11-30|700|600|3|2|2|stack",
                    "acme|1|cc|2026-11-30|\(Self.max256Less1)|\(Self.max256Less1)|1|1|2|stack",
                    // 0x22 is acme-fac's reward and pay-to address: counted twice.
                    "acme-fac|1|aa|2026-11-30|200|1200|2|4|1|stack",
                    "acme-fac|1|cc|2026-11-30|0|\(Self.doubleMax256Less1)|0|2|1|stack",
                    "other|1|bb|2026-11-30|0|1234|0|1|1|stack",
                    "other|1|cc|2026-11-30|0|\(Self.max256)|0|1|1|stack",
                    "other|25|aa|2026-11-30|0|7|0|1|1|stack",
                    "acme|1|aa|2026-12-01|210|200|2|1|2|stack",
                    "acme|1|cc|2026-12-01|5|5|1|1|2|stack",
                    "acme-fac|1|aa|2026-12-01|420|0|4|0|1|stack",
                    "acme-fac|1|cc|2026-12-01|10|0|2|0|1|stack",
                    "other|1|bb|2026-12-01|234|0|1|0|1|stack",
                ])
            for day in [Self.day1, Self.day2] {
                try Self.aggregate(db, day: day, policy: "dedupe", files: ["entity_daily_volume"])
            }
            let deduped = try Self.entityRows(db)
            #expect(
                deduped == [
                    "acme|1|aa|2026-11-30|700|600|3|2|2|dedupe",
                    "acme|1|cc|2026-11-30|\(Self.max256Less1)|\(Self.max256Less1)|1|1|2|dedupe",
                    "acme-fac|1|aa|2026-11-30|100|600|1|2|1|dedupe",
                    "acme-fac|1|cc|2026-11-30|0|\(Self.max256Less1)|0|1|1|dedupe",
                    "other|1|bb|2026-11-30|0|1234|0|1|1|dedupe",
                    "other|1|cc|2026-11-30|0|\(Self.max256)|0|1|1|dedupe",
                    "other|25|aa|2026-11-30|0|7|0|1|1|dedupe",
                    "acme|1|aa|2026-12-01|210|200|2|1|2|dedupe",
                    "acme|1|cc|2026-12-01|5|5|1|1|2|dedupe",
                    "acme-fac|1|aa|2026-12-01|210|0|2|0|1|dedupe",
                    "acme-fac|1|cc|2026-12-01|5|0|1|0|1|dedupe",
                    "other|1|bb|2026-12-01|234|0|1|0|1|dedupe",
                ])
        }
    }

    @Test func ownerMarkersCoverEntitiesLoadedBeforeTheirOwner() throws {
        try withAggregatedSchema(days: [Self.day1]) { db in
            // acme-fac was loaded before its owner was known.
            try db.execute("UPDATE entities SET owner_entity_id = NULL WHERE entity_id = 'acme-fac';")
            try Self.aggregate(db, day: Self.day1, policy: "dedupe", files: ["entity_daily_volume"])
            #expect(
                try db.rows(
                    "SELECT sent_raw, received_raw FROM entity_daily_volume WHERE entity_id = 'acme' AND token_address LIKE '0xaa%'"
                ) == ["600|0"])
            // The next address-book load upserts the owner; no per-entity backfill is needed.
            try db.execute(
                """
                INSERT INTO entities (entity_id, name, kind, owner_entity_id)
                VALUES ('acme-fac', 'Acme Facilitator', 'facilitator', 'acme')
                ON CONFLICT (entity_id) DO UPDATE SET owner_entity_id = excluded.owner_entity_id;
                """)
            #expect(
                try db.rows(
                    "SELECT entity_id, right(address, 2), role, via_entity_id FROM entity_address_attribution WHERE entity_id = 'acme' ORDER BY 2"
                ) == ["acme|11|treasury|", "acme|22|facilitator_pay_to|acme-fac"])
            try Self.aggregate(db, day: Self.day1, policy: "dedupe", files: ["entity_daily_volume"])
            #expect(
                try db.rows(
                    "SELECT sent_raw, received_raw FROM entity_daily_volume WHERE entity_id = 'acme' AND token_address LIKE '0xaa%'"
                ) == ["700|600"])
        }
    }

    @Test func unknownAttributionPolicyIsRefused() throws {
        try withAggregatedSchema(days: [Self.day1]) { db in
            let error = #expect(throws: PSQLScratchSchema.Failure.self) {
                try Self.aggregate(db, day: Self.day1, policy: "both", files: ["entity_daily_volume"])
            }
            #expect(error?.stderr.contains("unknown attribution policy 'both'") == true)
        }
    }

    // MARK: Executions

    @Test func executionVolumeByPeriod() throws {
        try withSchema { db in
            try db.execute(try Self.fixture("aggregates.executions.period-boundaries.sql"))
            // Empty: no executions that day → zero rows, no error; no daily rows → no periods.
            try Self.aggregate(db, day: PartitionDay("2026-11-15")!, files: ["execution_daily_volume"])
            #expect(try db.rows("SELECT * FROM execution_daily_volume").isEmpty)
            #expect(try db.rows("SELECT * FROM execution_period_volume('2026-12-02 15:00:00+00')").isEmpty)

            for day in ["2026-10-31", "2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"] {
                try Self.aggregate(db, day: PartitionDay(day)!, files: ["execution_daily_volume"])
            }
            #expect(
                try db.rows(
                    "SELECT venue, account, day, trim_scale(volume), execution_count FROM execution_daily_volume ORDER BY day, venue, account"
                ) == [
                    "polymarket|alice|2026-10-31|0.2|1",
                    "polymarket|alice|2026-11-29|5|1",
                    "polymarket|alice|2026-11-30|1|1",
                    "polymarket|bob|2026-12-01|0.9999|1",
                    // 12-02: cancelled, open and test-mode rows are excluded.
                    "hyperliquid|alice|2026-12-02|2469.1356|1",
                    "hyperliquid|alice|2026-12-03|10|1",
                ])

            // Wednesday 2026-12-02 15:00: week from Monday 11-30, month from 12-01; 12-03 is later.
            #expect(
                try Self.periods(db, asOf: "2026-12-02 15:00:00+00") == [
                    "account||alice|today|2469.1356|1", "account||alice|this_week|2470.1356|2",
                    "account||alice|this_month|2469.1356|1", "account||alice|all_time|2475.3356|4",
                    "account||bob|today|0|0", "account||bob|this_week|0.9999|1",
                    "account||bob|this_month|0.9999|1", "account||bob|all_time|0.9999|1",
                    "all|||today|2469.1356|1", "all|||this_week|2471.1355|3",
                    "all|||this_month|2470.1355|2", "all|||all_time|2476.3355|5",
                    "venue|hyperliquid||today|2469.1356|1", "venue|hyperliquid||this_week|2469.1356|1",
                    "venue|hyperliquid||this_month|2469.1356|1", "venue|hyperliquid||all_time|2469.1356|1",
                    "venue|polymarket||today|0|0", "venue|polymarket||this_week|1.9999|2",
                    "venue|polymarket||this_month|0.9999|1", "venue|polymarket||all_time|7.1999|4",
                    "venue_account|hyperliquid|alice|today|2469.1356|1",
                    "venue_account|hyperliquid|alice|this_week|2469.1356|1",
                    "venue_account|hyperliquid|alice|this_month|2469.1356|1",
                    "venue_account|hyperliquid|alice|all_time|2469.1356|1",
                    "venue_account|polymarket|alice|today|0|0", "venue_account|polymarket|alice|this_week|1|1",
                    "venue_account|polymarket|alice|this_month|0|0",
                    "venue_account|polymarket|alice|all_time|6.2|3",
                    "venue_account|polymarket|bob|today|0|0", "venue_account|polymarket|bob|this_week|0.9999|1",
                    "venue_account|polymarket|bob|this_month|0.9999|1",
                    "venue_account|polymarket|bob|all_time|0.9999|1",
                ])
            // Monday 00:00 UTC starts the week: the Sunday 23:59:59.999999 fill is last week.
            #expect(
                try Self.periods(db, asOf: "2026-11-30 00:00:00+00", scope: "all")
                    == ["all|||today|1|1", "all|||this_week|1|1", "all|||this_month|6|2", "all|||all_time|6.2|3"])
            // One instant earlier it is Sunday: the week began on Monday 11-23.
            #expect(
                try Self.periods(db, asOf: "2026-11-29 23:59:59.999999+00", scope: "all")
                    == ["all|||today|5|1", "all|||this_week|5|1", "all|||this_month|5|1", "all|||all_time|5.2|2"])
            // The first instant of December: November is no longer this month.
            #expect(
                try Self.periods(db, asOf: "2026-12-01 00:00:00+00", scope: "all")
                    == [
                        "all|||today|0.9999|1", "all|||this_week|1.9999|2", "all|||this_month|0.9999|1",
                        "all|||all_time|7.1999|4",
                    ])
            // The as-of instant is taken in UTC whatever the session time zone (12-01 03:00 in Kolkata).
            #expect(
                try Self.periods(db, asOf: "2026-12-01 03:00:00+05:30", scope: "all").first == "all|||today|1|1")

            // A configured status set: only 'filled'; a status change disappears on rerun.
            try Self.aggregate(
                db, day: Self.day1, files: ["execution_daily_volume"], statuses: ["filled"])
            #expect(try db.rows("SELECT * FROM execution_daily_volume WHERE day = '2026-11-30'").isEmpty)
            try db.execute("UPDATE executions SET status = 'cancelled' WHERE execution_id = 'x3';")
            try Self.aggregate(db, day: Self.day2, files: ["execution_daily_volume"])
            #expect(try db.rows("SELECT * FROM execution_daily_volume WHERE day = '2026-12-01'").isEmpty)
        }
    }

    // MARK: Guards and partitions

    @Test func windowParametersMustBeOneUTCDay() throws {
        try withSchema { db in
            let error = #expect(throws: PSQLScratchSchema.Failure.self) {
                try db.execute(
                    "SELECT chainetl_check_day_window('2026-11-30 00:00:00+00', '2026-12-02 00:00:00+00', '2026-11-30');"
                )
            }
            #expect(error?.stderr.contains("is not the UTC day 2026-11-30") == true)
            #expect(throws: PSQLScratchSchema.Failure.self) {
                try db.execute("SELECT chainetl_check_day_window(NULL, '2026-12-01 00:00:00+00', '2026-11-30');")
            }
            // The same instants written in another zone are accepted.
            try db.execute(
                "SELECT chainetl_check_day_window('2026-11-30 05:30:00+05:30', '2026-12-01 05:30:00+05:30', '2026-11-30');"
            )
        }
    }

    @Test func monthPartitionsAreCreatedOnceAndPrunedWithAGuard() throws {
        try withAggregatedSchema { db in
            #expect(
                try db.rows(
                    """
                    SELECT chainetl_ensure_transfer_partition('2026-11-29 23:59:59+00'),
                           chainetl_ensure_transfer_partition('2026-11-30 20:00:00-05:00')
                    """) == ["transfers_y2026m11|transfers_y2026m12"])

            // Two loaders racing for a new month both succeed and create one partition.
            let failures = LockedValue<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                do {
                    try db.execute(
                        "SELECT chainetl_ensure_transfer_partition('2027-01-15 00:00:00+00'); SELECT pg_sleep(0.2);")
                } catch {
                    failures.mutate { $0.append("\(error)") }
                }
            }
            #expect(failures.value.isEmpty)
            #expect(
                try db.rows(
                    """
                    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'transfers'::regclass ORDER BY 1
                    """) == ["transfers_y2026m11", "transfers_y2026m12", "transfers_y2027m01"])

            // No default partition: a row for a month without a partition is refused.
            #expect(throws: PSQLScratchSchema.Failure.self) {
                try db.execute(
                    """
                    INSERT INTO transfers (transfer_id, chain_id, block_number, block_time, tx_hash, occurrence,
                        token_address, from_address, to_address, value, source, pipeline)
                    VALUES ('\\x00112233445566778899aabbccddeeff', 1, 1, '2027-03-01 00:00:00+00', '0x01', 0,
                        '0xaa', '0x11', '0x22', 1, 'fixture', 'aggregates-test');
                    """)
            }

            #expect(try db.rows("SELECT * FROM chainetl_drop_transfer_partitions_before('2026-11-30')").isEmpty)
            #expect(
                try db.rows("SELECT * FROM chainetl_drop_transfer_partitions_before('2026-12-01')")
                    == ["transfers_y2026m11"])
            #expect(try db.rows("SELECT month FROM transfers_pruned_months") == ["2026-11-01"])
            // Summaries are kept, and the pruned day refuses to be rebuilt into nothing.
            #expect(try db.value("SELECT count(*) FROM daily_token_volume WHERE day = '2026-11-30'") == "4")
            let error = #expect(throws: PSQLScratchSchema.Failure.self) {
                try Self.aggregate(db, day: Self.day1)
            }
            #expect(error?.stderr.contains("transfers for 2026-11-30 were pruned by retention") == true)
            #expect(try db.value("SELECT count(*) FROM daily_token_volume WHERE day = '2026-11-30'") == "4")
            try Self.aggregate(db, day: Self.day2)

            // Reloading the month recreates the partition and lifts the guard.
            #expect(
                try db.value("SELECT chainetl_ensure_transfer_partition('2026-11-15 00:00:00+00')")
                    == "transfers_y2026m11")
            #expect(try db.rows("SELECT month FROM transfers_pruned_months").isEmpty)
        }
    }

    @Test func transferIDInFixturesIsTheTransferIdentityDigest() throws {
        try withAggregatedSchema(days: []) { db in
            let identity = TransferIdentity(
                chainID: 1, txHash: "0x" + String(repeating: "02", count: 32),
                tokenAddress: "0x" + String(repeating: "a", count: 40),
                fromAddress: "0x" + String(repeating: "1", count: 40),
                toAddress: "0x" + String(repeating: "2", count: 40), value: "300", occurrence: 1)
            let stored = try db.value(
                "SELECT encode(transfer_id, 'hex') FROM transfers WHERE tx_hash = '\(identity.txHash)' AND occurrence = 1"
            )
            #expect(stored == identity.transferID)
        }
    }

    // MARK: Harness

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Full recompute of holder balances from the aggregated days' transfers, compared both ways.
    static let balanceMismatchQuery = """
        WITH recomputed AS (
            SELECT t.chain_id, t.token_address, s.holder, sum(s.inflow) - sum(s.outflow) AS balance_raw,
                   min(t.block_time) AS first_seen, max(t.block_time) AS last_active
            FROM transfers t
            CROSS JOIN LATERAL (VALUES (t.to_address, t.value, 0), (t.from_address, 0, t.value)) AS s(holder, inflow, outflow)
            WHERE t.block_time >= '2026-11-30 00:00:00+00' AND t.block_time < '2026-12-02 00:00:00+00'
              AND s.holder <> chainetl_zero_address()
            GROUP BY t.chain_id, t.token_address, s.holder
            HAVING sum(s.inflow) - sum(s.outflow) <> 0
        )
        (SELECT * FROM recomputed EXCEPT SELECT * FROM holder_balances)
        UNION ALL
        (SELECT * FROM holder_balances EXCEPT SELECT * FROM recomputed)
        """

    /// holder_balances against a full recompute from every transfer on an aggregated day, both ways.
    static let recomputedBalanceMismatchQuery = """
        WITH recomputed AS (
            SELECT t.chain_id, t.token_address, s.holder, sum(s.inflow) - sum(s.outflow) AS balance_raw,
                   min(t.block_time) AS first_seen, max(t.block_time) AS last_active
            FROM transfers t
            CROSS JOIN LATERAL (VALUES (t.to_address, t.value, 0), (t.from_address, 0, t.value)) AS s(holder, inflow, outflow)
            WHERE (t.block_time AT TIME ZONE 'UTC')::date IN (SELECT day FROM daily_holder_flows)
              AND s.holder <> chainetl_zero_address()
            GROUP BY t.chain_id, t.token_address, s.holder
            HAVING sum(s.inflow) - sum(s.outflow) <> 0
        )
        (SELECT * FROM recomputed EXCEPT SELECT * FROM holder_balances)
        UNION ALL
        (SELECT * FROM holder_balances EXCEPT SELECT * FROM recomputed)
        """

    /// token_holder_counts against a count of holder_balances rows with balance > 0, both ways.
    static let recomputedHolderCountMismatchQuery = """
        WITH recomputed AS (
            SELECT chain_id, token_address, count(*) AS holders
            FROM holder_balances WHERE balance_raw > 0 GROUP BY chain_id, token_address
        )
        (SELECT * FROM recomputed EXCEPT SELECT * FROM token_holder_counts)
        UNION ALL
        (SELECT * FROM token_holder_counts EXCEPT SELECT * FROM recomputed)
        """

    static func fixture(_ name: String) throws -> String {
        try String(
            contentsOf: repository.appendingPathComponent("Tests/ChainETLStagesTests/Fixtures/sql/\(name)"),
            encoding: .utf8)
    }

    static func sqlFile(_ output: String) throws -> AggregateSQLFile {
        try AggregateSQLFile.load(path: repository.appendingPathComponent("pipelines/sql/\(output).sql").path)
    }

    /// Runs `files` for `day` in one transaction, as the aggregate stage does.
    static func aggregate(
        _ db: PSQLScratchSchema, day: PartitionDay, policy: String = "stack",
        files: [String] = AggregateSQLTests.dailyFiles,
        statuses: [String]? = nil
    ) throws {
        let script = AggregateScript.render(
            try files.map(sqlFile), day: day,
            extra: ["entity_daily_volume": [.text(policy)], "execution_daily_volume": [.textArray(statuses)]])
        try db.execute(script, timeZone: "Asia/Kolkata")
    }

    /// A fresh schema with the migrations applied, dropped afterwards.
    func withSchema(_ body: (PSQLScratchSchema) throws -> Void) throws {
        let db = try PSQLScratchSchema(prefix: "aggregates_test")
        defer { try? db.drop() }
        let migrations = try ["0002_transfers.sql", "0003_aggregates.sql", "0008_incremental_holders.sql", "0011_summary_per_as_of_day.sql"].map {
            try String(contentsOf: Self.repository.appendingPathComponent("schemas/\($0)"), encoding: .utf8)
        }
        try db.execute(migrations.joined(separator: "\n"))
        try body(db)
    }

    /// A fresh schema with the fixtures loaded and `days` aggregated in that order.
    func withAggregatedSchema(
        days: [PartitionDay] = [AggregateSQLTests.day1, AggregateSQLTests.day2], extraFixtures: [String] = [],
        _ body: (PSQLScratchSchema) throws -> Void
    ) throws {
        try withSchema { db in
            for name in ["aggregates.transfers.two-days.sql", "aggregates.address-book.stacked-roles.sql"]
                + extraFixtures
            {
                try db.execute(try Self.fixture(name))
            }
            for day in days { try Self.aggregate(db, day: day) }
            try body(db)
        }
    }

    /// Every aggregate table's rows as text, sorted.
    static func dump(_ db: PSQLScratchSchema) throws -> [String: [String]] {
        var tables: [String: [String]] = [:]
        for table in aggregateTables {
            tables[table] = try db.rows("SELECT t::text FROM \(table) t ORDER BY 1")
        }
        return tables
    }

    /// The rows of one day in every day-keyed table, as text.
    static func rowsOfDay(_ db: PSQLScratchSchema, _ day: PartitionDay) throws -> [String] {
        var rows: [String] = []
        for table in ["daily_token_volume", "daily_address_volume", "daily_holder_flows", "entity_daily_volume"] {
            rows += try db.rows("SELECT '\(table)' || t::text FROM \(table) t WHERE day = '\(day)' ORDER BY 1")
        }
        rows += try db.rows(
            """
            SELECT 'hourly_token_volume' || t::text FROM hourly_token_volume t
            WHERE hour >= '\(day) 00:00:00+00' AND hour < '\(day.advanced(by: 1)) 00:00:00+00' ORDER BY 1
            """)
        return rows
    }

    /// Every token_summary_by_day row as of `day`, as text.
    static func summaryRows(_ db: PSQLScratchSchema, asOf day: PartitionDay) throws -> [String] {
        try db.rows("SELECT t::text FROM token_summary_by_day t WHERE as_of_day = '\(day)' ORDER BY 1")
    }

    /// `rowsOfDay` taken from a `dump`: day-keyed rows hold `,<day>,`, hourly rows `"<day> hh:…"`.
    static func rowsOfDayFromDump(_ dump: [String: [String]], _ day: PartitionDay) -> [String] {
        let daily = ["daily_token_volume", "daily_address_volume", "daily_holder_flows", "entity_daily_volume"].flatMap
        {
            table in (dump[table] ?? []).filter { $0.contains(",\(day),") }.map { table + $0 }
        }
        let hourly = (dump["hourly_token_volume"] ?? []).filter { $0.contains(",\"\(day) ") }.map {
            "hourly_token_volume" + $0
        }
        return daily + hourly
    }

    static func entityRows(_ db: PSQLScratchSchema) throws -> [String] {
        try db.rows(
            """
            SELECT entity_id, chain_id, right(token_address, 2), day, sent_raw, received_raw, sent_count,
                   received_count, address_count, policy
            FROM entity_daily_volume ORDER BY day, entity_id, chain_id, token_address
            """)
    }

    static func periods(_ db: PSQLScratchSchema, asOf: String, scope: String? = nil) throws -> [String] {
        try db.rows(
            """
            SELECT scope, venue, account, period, trim_scale(volume), execution_count
            FROM execution_period_volume('\(asOf)')
            \(scope.map { "WHERE scope = '\($0)'" } ?? "")
            ORDER BY scope, venue NULLS FIRST, account NULLS FIRST,
                     array_position(ARRAY['today', 'this_week', 'this_month', 'all_time'], period)
            """)
    }
}

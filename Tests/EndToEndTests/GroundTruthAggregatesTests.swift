import ChainETLCore
import ChainETLSimulator
import Foundation
import Testing

/// Issue 5's "how it will be checked": a 14-day simulator run through `aggregate`, then every
/// aggregate compared with the simulator's ground truth on raw integers, then one day
/// re-aggregated with every table left byte-identical.
@Suite("Ground truth: aggregates (binary, simulator, Postgres)")
struct GroundTruthAggregatesTests {
    static let from = "2026-10-25"  // crosses a month boundary
    static let to = "2026-11-07"
    static let chains = [1, 25]
    /// Every table an aggregate run writes, plus the transfers it reads.
    static let tables = [
        "transfers", "token_metadata", "daily_token_volume", "daily_address_volume", "hourly_token_volume",
        "daily_holder_flows", "holder_balances", "token_holder_counts", "token_summary_by_day",
    ]

    @Test func aFourteenDayRunAggregatesExactlyTheGroundTruthAndReaggregatingADayChangesNoByte() throws {
        let database = try E2EDatabase()
        defer { database.drop() }
        let simulator = try E2ESimulator(seed: 5, transfersPerDay: 200, faultRate: 0.02, ratePerSecond: 150)
        defer { simulator.stop() }
        let pipeline = try FixturePipeline("gt_aggregates", database: database, simulator: simulator)
        defer { pipeline.remove() }
        try GroundTruthTransfersTests.expectFixtureTracksEveryToken(pipeline.file)

        let started = Date()
        let run = try pipeline.run(["--from", Self.from, "--to", Self.to, "--jobs", "2", "--log-format", "json"])
        print("gt_aggregates: 14-day run \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        #expect(run.exitCode == 0, "\(run.stderr.suffix(3000))")

        let truths = try Self.chains.map {
            try simulator.truth(chainID: $0, from: Self.from, to: Self.to, includeTransfers: false)
        }

        // The data holds every case the definitions distinguish.
        let daily = truths.flatMap(\.daily)
        #expect(daily.reduce(0) { $0 + $1.selfTransferCount } > 0, "no self-transfers to exclude")
        #expect(daily.reduce(0) { $0 + $1.mintCount } > 0 && daily.reduce(0) { $0 + $1.burnCount } > 0)
        #expect(
            try database.scalar(
                """
                SELECT count(*) FROM transfers
                WHERE occurrence > 0 AND from_address <> to_address
                  AND from_address <> '0x0000000000000000000000000000000000000000'
                  AND to_address <> '0x0000000000000000000000000000000000000000'
                """) != "0", "no identical volume transfers to count twice")
        #expect(truths.flatMap(\.holders).contains { $0.balanceRaw.hasPrefix("-") }, "no negative balance")

        expectSameRows(
            try database.strings(
                """
                SELECT concat_ws('|', chain_id, token_address, day, transfer_count, volume_raw, unique_senders,
                                 unique_receivers, mint_count, mint_raw, burn_count, burn_raw,
                                 all_transfer_count, all_value_raw)
                FROM daily_token_volume
                """),
            truths.flatMap { truth in
                truth.daily.map {
                    [
                        "\(truth.chainID)", $0.tokenAddress, "\($0.day)", "\($0.transferCount)", $0.volumeRaw,
                        "\($0.uniqueSenders)", "\($0.uniqueReceivers)", "\($0.mintCount)", $0.mintRaw,
                        "\($0.burnCount)", $0.burnRaw, "\($0.allTransferCount)", $0.allValueRaw,
                    ].joined(separator: "|")
                }
            }, "daily_token_volume")

        expectSameRows(
            try database.strings(
                """
                SELECT concat_ws('|', chain_id, token_address, address, day, sent_raw, received_raw,
                                 sent_count, received_count)
                FROM daily_address_volume
                """),
            truths.flatMap { truth in
                truth.dailyAddress.map {
                    [
                        "\(truth.chainID)", $0.tokenAddress, $0.address, "\($0.day)", $0.sentRaw, $0.receivedRaw,
                        "\($0.sentCount)", "\($0.receivedCount)",
                    ].joined(separator: "|")
                }
            }, "daily_address_volume")

        expectSameRows(
            try database.strings(
                """
                SELECT concat_ws('|', chain_id, token_address, to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24'),
                                 transfer_count, volume_raw)
                FROM hourly_token_volume
                """),
            truths.flatMap { truth in
                truth.hourly.map {
                    let hour = $0.hour < 10 ? "0\($0.hour)" : "\($0.hour)"
                    return "\(truth.chainID)|\($0.tokenAddress)|\($0.day) \(hour)|\($0.transferCount)|\($0.volumeRaw)"
                }
            }, "hourly_token_volume")

        expectSameRows(
            try database.strings(
                """
                SELECT concat_ws('|', chain_id, token_address, holder, balance_raw, \(isoUTC("first_seen")),
                                 \(isoUTC("last_active")))
                FROM holder_balances
                """),
            truths.flatMap { truth in
                truth.holders.map {
                    "\(truth.chainID)|\($0.tokenAddress)|\($0.holder)|\($0.balanceRaw)|\($0.firstSeen)|\($0.lastActive)"
                }
            }, "holder_balances")

        expectSameRows(
            try database.strings(
                "SELECT concat_ws('|', chain_id, token_address, holders) FROM token_holder_counts"),
            truths.flatMap { truth in truth.summary.map { "\(truth.chainID)|\($0.tokenAddress)|\($0.holders)" } },
            "token_holder_counts")

        expectSameRows(
            try database.strings(
                """
                SELECT concat_ws('|', chain_id, token_address, as_of_day, volume_24h_raw, volume_7d_raw,
                                 volume_30d_raw, volume_total_raw, transfers_24h, unique_senders_24h, holders,
                                 supply_raw, \(isoUTC("last_transfer_at")))
                FROM token_summary
                """),
            truths.flatMap { truth in
                truth.summary.map {
                    [
                        "\(truth.chainID)", $0.tokenAddress, "\($0.asOf)", $0.volume24hRaw, $0.volume7dRaw,
                        $0.volume30dRaw, $0.volumeTotalRaw, "\($0.transfers24h)", "\($0.uniqueSenders24h)",
                        "\($0.holders)", $0.supplyRaw, $0.lastTransferAt ?? "null",
                    ].joined(separator: "|")
                }
            }, "token_summary")

        // Every older day keeps its own summary (the run used --jobs 2, so days were aggregated out
        // of order): as of D it equals the truth of the range ending on D, holders included.
        for day in [Self.from, "2026-11-01", "2026-11-05"] {
            let asOf = try Self.chains.map {
                try simulator.truth(chainID: $0, from: Self.from, to: day, includeTransfers: false)
            }
            expectSameRows(
                try database.strings(
                    """
                    SELECT concat_ws('|', chain_id, token_address, as_of_day, volume_24h_raw, volume_7d_raw,
                                     volume_30d_raw, volume_total_raw, transfers_24h, unique_senders_24h, holders,
                                     supply_raw, \(isoUTC("last_transfer_at")))
                    FROM token_summary_by_day WHERE as_of_day = $1::date
                    """, [day]),
                asOf.flatMap { truth in
                    truth.summary.map {
                        [
                            "\(truth.chainID)", $0.tokenAddress, "\($0.asOf)", $0.volume24hRaw, $0.volume7dRaw,
                            $0.volume30dRaw, $0.volumeTotalRaw, "\($0.transfers24h)", "\($0.uniqueSenders24h)",
                            "\($0.holders)", $0.supplyRaw, $0.lastTransferAt ?? "null",
                        ].joined(separator: "|")
                    }
                }, "token_summary_by_day as of \(day)")
        }

        // The token with unknown decimals is aggregated on raw integers and keeps null decimals.
        for chainID in Self.chains {
            let tokens = SimulatedChain.tokens(chainID: chainID)
            let nodec = try #require(tokens.first { $0.symbol == "NODEC" })
            let usdc = try #require(tokens.first { $0.symbol == "USDC" })
            #expect(nodec.decimalsValue == nil)
            #expect(
                try database.strings(
                    "SELECT DISTINCT coalesce(token_decimals::text, 'null') FROM daily_token_volume WHERE chain_id = $1 AND token_address = $2",
                    [chainID, nodec.address]) == ["null"])
            #expect(
                try database.strings(
                    "SELECT coalesce(token_decimals::text, 'null') FROM token_summary WHERE chain_id = $1 AND token_address = $2",
                    [chainID, nodec.address]) == ["null"])
            #expect(
                try database.strings(
                    "SELECT DISTINCT token_decimals::text FROM daily_token_volume WHERE chain_id = $1 AND token_address = $2",
                    [chainID, usdc.address]) == ["6"])
        }

        // Re-aggregating a day (the first, a middle one, the last) leaves every table byte-identical.
        let before = try Self.tables.map { try database.fingerprint(of: $0) }
        let callsBefore = simulator.requests
        for day in [Self.from, "2026-11-01", Self.to] {
            let rerun = try pipeline.run(["--partition", day, "--select", "aggregate", "--log-format", "text"])
            #expect(rerun.exitCode == 0, "\(day): \(rerun.stderr.suffix(2000))")
            #expect(
                rerun.stderr.split(separator: "\n").last?.contains(": 1 stages ok, 0 skipped, 0 failed") == true,
                "\(day): \(rerun.stderr.suffix(500))")
            let unit = try pipeline.unitReport(of: rerun, stage: "aggregate", partition: day)
            let diff = try #require(unit["diff"] as? [String: Any], "the aggregate rerun reports no diff: \(unit)")
            #expect((diff["aggregates"] as? [Any])?.isEmpty == true, "\(day): \(diff)")
            let after = try Self.tables.map { try database.fingerprint(of: $0) }
            for (index, table) in Self.tables.enumerated() {
                #expect(after[index] == before[index], "re-aggregating \(day) changed \(table)")
            }
        }
        #expect(simulator.requests == callsBefore, "re-aggregating called the explorer")
    }
}

import ChainETLCore
import Foundation
import Testing

@testable import ChainETLStages

/// load/prices feeding the `…_usd` columns, against PostgreSQL.
@Suite("prices stage")
struct PricesStageTests {
    static let day = PartitionDay("2026-11-30")!
    static let tokenA = "0x" + String(repeating: "aa", count: 20)
    static let tokenB = "0x" + String(repeating: "bb", count: 20)
    static let tokenC = "0x" + String(repeating: "cc", count: 20)

    static let prices = """
        usd,day,token_address,chain_id,note
        0.999,2026-12-01,\(tokenA),1,next day: excluded
        3,2026-11-30,\(tokenB),1,unknown decimals: still no usd
        2.4,2026-11-30,\(tokenC.uppercased().replacingOccurrences(of: "0X", with: "0x")),1,replaced below
        2.5,2026-11-30,\(tokenC),1,the last row wins
        1.0e0x,2026-11-30,\(tokenA),1,bad price
        """

    static let pipeline = """
        chains:
          ethereum:
            chain_id: 1
            explorer: etherscan
            base_url: http://127.0.0.1:9/v2/api
            rate_limit: { per_second: 5 }
            confirmations: 12
        stages:
          - id: prices
            uses: load/prices
            with:
              file: data/prices.csv
              quarantine_threshold: 0.5   # one bad price among the day's rows
              fixed:
                "\(tokenA)": "1.00"
          - id: aggregate
            uses: aggregate
            needs: [prices]
            with:
              files: [sql/daily_token_volume.sql]
        """

    static func harness() throws -> StageHarness {
        let harness = try StageHarness(
            pipeline, files: ["data/prices.csv": prices], repositoryFiles: ["sql/daily_token_volume.sql"])
        try harness.applyFixture("aggregates.transfers.two-days.sql")
        try harness.connection.execute(.init("DELETE FROM token_prices"))
        try harness.connection.execute(.init("DELETE FROM token_fixed_prices"))
        return harness
    }

    @Test func pricesFillUSDColumnsAndMissingPricesStayNull() throws {
        let harness = try Self.harness()
        let load = try harness.run("prices", day: Self.day)
        #expect(load.outcome.counts == RowCounts(rowsIn: 5, rowsOut: 3, quarantined: 1, excluded: 1))
        #expect(load.outcome.details["quarantine.examples"]?.hasPrefix("data/prices.csv:6: usd is invalid") == true)
        #expect(
            try harness.rows(
                "SELECT chain_id, token_address, day::text, usd::text, source FROM token_prices ORDER BY 2")
                == ["1|\(Self.tokenB)|2026-11-30|3|data/prices.csv", "1|\(Self.tokenC)|2026-11-30|2.5|data/prices.csv"])
        #expect(
            try harness.rows("SELECT chain_id, token_address, usd::text FROM token_fixed_prices") == [
                "1|\(Self.tokenA)|1.00"
            ])

        try harness.run("aggregate", day: Self.day)
        // A: 700 raw at 6 decimals × 1.00 (fixed); C: (2^257 − 3) × 1e-18 × 2.5; B has no decimals;
        // A on chain 25 has no price.
        #expect(
            try harness.rows(
                "SELECT chain_id, token_address, coalesce(volume_usd::text, 'NULL') FROM daily_token_volume ORDER BY 1, 2"
            )
                == [
                    "1|\(Self.tokenA)|0.0007", "1|\(Self.tokenB)|NULL",
                    "1|\(Self.tokenC)|578960446186580977117854925043439539266349923328202820197287.9200395656481996725",
                    "25|\(Self.tokenA)|NULL",
                ])
    }

    @Test func reloadingTheSameFileChangesNothingAndAChangedFileReruns() throws {
        let harness = try Self.harness()
        try harness.run("prices", day: Self.day)
        let loadedAt = try harness.value("SELECT loaded_at::text FROM etl_loads WHERE stage = 'prices'")
        let again = try harness.run("prices", day: Self.day)
        #expect(again.outcome.details["prices.changed"] == "0")
        #expect(again.outcome.details["fixed.changed"] == "0")
        #expect(try harness.value("SELECT loaded_at::text FROM etl_loads WHERE stage = 'prices'") == loadedAt)
        #expect(try harness.isUpToDate("prices", day: Self.day))

        try harness.rewrite("data/prices.csv", "chain_id,token_address,day,usd\n1,\(Self.tokenC),2026-11-30,2.6\n")
        #expect(try !harness.isUpToDate("prices", day: Self.day))
        let changed = try harness.run("prices", day: Self.day)
        #expect(changed.outcome.details["prices.changed"] == "1")
        #expect(changed.outcome.details["prices.removed"] == "1")
        #expect(try harness.rows("SELECT token_address, usd::text FROM token_prices") == ["\(Self.tokenC)|2.6"])
    }

    @Test func fixedPricesNeedAChainAndADecimal() throws {
        let bad = """
            stages:
              - id: prices
                uses: load/prices
                with:
                  fixed:
                    "\(Self.tokenA)": "1.00"
            """
        let noChains = try StageHarness(bad)
        let diagnostic = try #require(throws: ConfigDiagnostic.self) { try noChains.stage("prices") }
        #expect(diagnostic.message.contains("names no chain and the pipeline declares none"))
        let byID = try StageHarness(
            """
            stages:
              - id: prices
                uses: load/prices
                with:
                  fixed:
                    "10:\(Self.tokenA)": "0.9999"
            """)
        try byID.run("prices", day: Self.day)
        #expect(try byID.rows("SELECT chain_id, usd::text FROM token_fixed_prices") == ["10|0.9999"])
    }
}

/// Prices must be exact decimals above 0 and below 10^30 (issue 14, item 6).
@Suite("price bounds")
struct PriceBoundsTests {
    static let token = "0x" + String(repeating: "aa", count: 20)

    @Test(arguments: [("1e40", false), ("1e30", false), ("0", false), ("0.0", false), ("0.5", true), ("9e29", true)])
    func usdIsBounded(usd: String, accepted: Bool) {
        let result = PriceFile.price(chainID: "1", token: Self.token, day: "2026-11-30", usd: usd)
        switch result {
        case .success: #expect(accepted, "usd \(usd) was accepted")
        case .failure(let problem):
            #expect(!accepted, "usd \(usd) was refused: \(problem)")
            #expect(problem.description.hasPrefix("usd "))
        }
    }
}

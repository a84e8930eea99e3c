import ChainETLCore
import ChainETLPostgres
import ChainETLSimulator
import Foundation
import Logging
import Testing

@testable import ChainETLRunner

/// A reorg end to end through the runner: extract → normalize → dedupe → load of D − 1 from the
/// in-process simulator, blocks near D − 1's end replaced, D's extract marking D − 1 in
/// `etl_refetch`, and the same run serving the mark: it reloads D − 1 (and the aggregates that
/// depend on it) to the post-reorg truth.

@Suite("Reorgs in runs")
struct ReorgRunTests {
    static let seed: UInt64 = 17
    static let transfersPerDay = 1_200
    /// 2026-11-18T…Z: D − 1 and D are closed on the simulated chain.
    static let now = 1_795_000_000
    static let previousDay = PartitionDay("2026-11-15")!
    static let day = PartitionDay("2026-11-16")!
    static let tokens = SimulatedChain.tokens(chainID: 1).filter { ["USDC", "DAI"].contains($0.symbol) }
    static let usdc = tokens.first { $0.symbol == "USDC" }!

    static func generator(_ reorgs: [SimulatedReorg] = []) -> ChainGenerator {
        ChainGenerator(
            chainID: 1,
            configuration: GeneratorConfiguration(seed: seed, transfersPerDay: transfersPerDay, reorgs: reorgs))!
    }

    /// The last block of D − 1's default window (64 blocks) with a USDC transfer.
    static var reorgBlock: Int {
        let first = SimulatedChain.chain(id: 1)!.blocks(on: day)!.lowerBound
        return ((first - 64)...(first - 1)).reversed().first { number in
            generator().block(number).logs.contains { !$0.isERC721 && $0.tokenAddress == usdc.address }
        }!
    }

    static func simulator(port: Int = 0, reorgs: [SimulatedReorg] = []) throws -> SimulatorServer {
        let server = try SimulatorServer(
            configuration: SimulatorConfiguration(
                port: port,
                generator: GeneratorConfiguration(seed: seed, transfersPerDay: transfersPerDay, reorgs: reorgs),
                fixedNow: now),
            logger: Logger(label: "chainetl.tests.simulator") { _ in SwiftLogNoOpLogHandler() })
        _ = try server.start()
        return server
    }

    /// The repository's `pipelines/sql/`, found from this source file.
    static var sqlFolder: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("pipelines/sql").path
    }

    static func pipeline(port: Int, aggregates: Bool = false) -> String {
        let tokenLines = tokens.map { "      - { address: \"\($0.address)\", symbol: \($0.symbol) }" }
        return """
            chains:
              ethereum:
                chain_id: 1
                explorer: etherscan
                base_url: http://127.0.0.1:\(port)/v2/api
                rate_limit: { per_second: 50 }
                confirmations: 12
                tokens:
            \(tokenLines.joined(separator: "\n"))
            stages:
              - id: extract
                uses: extract/etherscan-logs
              - id: normalize
                uses: normalize/transfers
                needs: [extract]
              - id: dedupe
                uses: dedupe
                needs: [normalize]
              - id: load
                uses: load
                needs: [dedupe]
            """ + (aggregates ? aggregateStage : "")
    }

    /// An aggregate stage over the daily tables, holder balances and the rolling summary.
    static var aggregateStage: String {
        let files = ["token_metadata", "daily_token_volume", "holder_balances", "token_summary"]
        return """

              - id: aggregate
                uses: aggregate
                needs: [load]
                with:
                  files:
            """ + files.map { "\n          - \(sqlFolder)/\($0).sql" }.joined()
    }

    /// The open marks of the fixture's pipeline (or those `clearedBy` marked and cleared):
    /// `partition chain token | reason`.
    static func openMarks(_ fixture: RunnerFixture, on db: PostgresConnection, clearedBy run: String? = nil) throws
        -> [String]
    {
        let rows = try db.execute(
            SQLQuery(
                """
                SELECT partition::text || ' ' || chain_id || ' ' || token_address || ' | ' || reason
                FROM etl_refetch WHERE pipeline = $1
                  AND CASE WHEN $2 = '' THEN cleared_at IS NULL
                           ELSE marked_by_run = $2 AND cleared_by_run = $2 END
                ORDER BY 1
                """, [fixture.pipelineName, run ?? ""]))
        return (0..<rows.count).compactMap { rows.value(row: $0, column: 0) }
    }

    /// The stored transfers of D − 1: `transfer_id` → block hash.
    static func stored(_ fixture: RunnerFixture, on db: PostgresConnection) throws -> [String: String] {
        let rows = try db.execute(
            SQLQuery(
                """
                SELECT encode(transfer_id, 'hex'), coalesce(block_hash, '') FROM transfers
                WHERE pipeline = $1 AND block_time >= $2 AND block_time < $3
                """, [fixture.pipelineName, previousDay.start, previousDay.end]))
        var stored: [String: String] = [:]
        for row in 0..<rows.count {
            stored[rows.value(row: row, column: 0) ?? ""] = rows.value(row: row, column: 1) ?? ""
        }
        return stored
    }

    /// Every ERC-20 transfer id of the tracked tokens on D − 1, as the simulator's truth has it.
    static func truth(_ reorgs: [SimulatedReorg]) throws -> Set<String> {
        let report = try GroundTruth.compute(
            seed: seed, chainID: 1, tokens: tokens.map(\.address), from: previousDay, to: previousDay,
            transfersPerDay: transfersPerDay, reorgs: reorgs)
        return Set(try #require(report.transfers).map(\.transferID))
    }

    @Test func aReorgMarksThePreviousDayAndTheSameRunReloadsItToTheNewTruth() throws {
        var server = try Self.simulator()
        defer { server.stop() }
        let port = server.port
        let fixture = try RunnerFixture(Self.pipeline(port: port))
        let db = try fixture.connect()
        defer { db.close() }

        // Run 1: D − 1 loaded from the chain as it was.
        let run1 = try fixture.run(partitions: .single(Self.previousDay))
        try #require(run1.result.exitCode == 0, "\(run1.stderr)")
        let before = try Self.truth([])
        #expect(Set(try Self.stored(fixture, on: db).keys) == before)

        // A block near D − 1's end is replaced: new hash, new transfers.
        let block = Self.reorgBlock
        let reorg = SimulatedReorg(chainID: 1, block: block, salt: 5)
        server.stop()
        server = try Self.simulator(port: port, reorgs: [reorg])
        let after = try Self.truth([reorg])
        #expect(after != before)

        // Run 2: D is extracted, and its reorg check finds D − 1 changed in the store's window.
        let run2 = try fixture.run(partitions: .single(Self.day))
        try #require(run2.result.exitCode == 0, "\(run2.stderr)")
        let extract = try #require(run2.result.report?.units.first { $0.stage == "extract" })
        #expect(extract.details["chain.ethereum.reorg_check"] == "store")
        #expect(extract.details["chain.ethereum.reorg_partition"] == "\(Self.previousDay)")
        #expect(extract.details["chain.ethereum.reorg_targets"] == "2")
        #expect(Int(extract.details["chain.ethereum.reorg_mismatches"] ?? "") ?? 0 >= 1)
        #expect(Int(extract.details["chain.ethereum.reorg_calls"] ?? "") ?? 0 >= 2)
        let marks = try Self.openMarks(fixture, on: db, clearedBy: run2.result.report?.runID)
        #expect(marks.contains { $0.hasPrefix("\(Self.previousDay) 1 \(Self.usdc.address) | reorg: block \(block) ") })
        #expect(marks.allSatisfy { $0.contains(" | reorg: block \(block) ") }, "\(marks)")
        #expect(run2.result.report?.events.contains { $0.kind == "reorg" && $0.details["block"] == "\(block)" } == true)

        // The same run reloads D − 1: a follow-up pass re-extracts it because of the mark (issue 15 item 4).
        #expect(run2.result.report?.partitions == [Self.previousDay, Self.day])
        #expect(run2.stderr.contains("reorg: reloading marked partitions in this run"), "\(run2.stderr)")
        let reextract = try #require(
            run2.result.report?.units.first { $0.stage == "extract" && $0.partition == Self.previousDay })
        #expect(reextract.status == .succeeded)
        #expect(reextract.reason == RefetchMarks.reason)
        #expect(run2.result.status("load", "\(Self.previousDay)") == .succeeded)
        #expect(try Self.openMarks(fixture, on: db).isEmpty)
        let stored = try Self.stored(fixture, on: db)
        #expect(Set(stored.keys) == after, "the store equals the post-reorg truth")
        let newHash = Self.generator([reorg]).block(block).hash
        let oldHash = Self.generator().block(block).hash
        #expect(!stored.values.contains(oldHash))
        let replaced = Self.generator([reorg]).block(block)
        if replaced.logs.contains(where: { !$0.isERC721 && Self.tokens.map(\.address).contains($0.tokenAddress) }) {
            #expect(stored.values.contains(newHash))
        }

        // The next scheduled run (yesterday = D): nothing is marked and nothing changed.
        let nextNight = Date(timeIntervalSince1970: TimeInterval(Self.day.endUnixSeconds + 12 * 3_600))
        let run4 = try fixture.run(partitions: .yesterday, now: nextNight)
        #expect(run4.result.exitCode == 0)
        #expect(run4.result.report?.partitions == [Self.day])
        #expect(run4.result.report?.units.allSatisfy { $0.status == .skipped } == true)
        let run5 = try fixture.run(partitions: .range(from: Self.previousDay, to: Self.day))
        #expect(run5.result.exitCode == 0)
        #expect(run5.result.report?.units.allSatisfy { $0.status == .skipped } == true)
    }

    /// Issue 15 item 4's acceptance: a reorg 24 blocks deep at the end of D − 1, found by the
    /// nightly run of D, and that single run leaves D − 1's transfers and every aggregate exactly
    /// equal to the post-reorg truth, with the mark cleared.
    @Test func theNightlyRunThatFindsAReorgLeavesThePreviousDayAndItsAggregatesExact() throws {
        let scratch = try ScratchDatabase()
        var server = try Self.simulator()
        defer { server.stop() }
        let port = server.port
        let fixture = try RunnerFixture(Self.pipeline(port: port, aggregates: true))
        let db = try scratch.connect()
        defer { db.close() }
        func night(after day: PartitionDay) -> Date {
            Date(timeIntervalSince1970: TimeInterval(day.endUnixSeconds + 3 * 3_600))
        }

        // The nightly run of D − 1, on the chain as it was.
        let run1 = try fixture.run(
            partitions: .yesterday, databaseURL: scratch.url, now: night(after: Self.previousDay))
        try #require(run1.result.exitCode == 0, "\(run1.stderr)")
        #expect(Set(try Self.stored(fixture, on: db).keys) == (try Self.truth([])))

        // The last 24 blocks of D − 1 are replaced (a reorg 24 deep: new hashes, new transfers).
        let first = try #require(SimulatedChain.chain(id: 1)?.blocks(on: Self.day)?.lowerBound)
        let reorgs = ((first - 24)...(first - 1)).map { SimulatedReorg(chainID: 1, block: $0, salt: 9) }
        server.stop()
        server = try Self.simulator(port: port, reorgs: reorgs)
        let after = try Self.truth(reorgs)
        #expect(after != (try Self.truth([])))

        // The nightly run of D, alone.
        let run2 = try fixture.run(partitions: .yesterday, databaseURL: scratch.url, now: night(after: Self.day))
        try #require(run2.result.exitCode == 0, "\(run2.stderr)")
        let report = try #require(run2.result.report)
        #expect(report.partitions == [Self.previousDay, Self.day])
        let reextract = try #require(report.units.first { $0.stage == "extract" && $0.partition == Self.previousDay })
        #expect(reextract.status == .succeeded && reextract.reason == RefetchMarks.reason)
        for stage in ["normalize", "dedupe", "load", "aggregate"] {
            #expect(
                report.units.contains {
                    $0.stage == stage && $0.partition == Self.previousDay && $0.status == .succeeded
                },
                "\(stage) of D − 1")
        }
        // D's aggregate ran once in the plan and once more after D − 1 was reloaded.
        let dayAggregates = report.units.filter { $0.stage == "aggregate" && $0.partition == Self.day }
        #expect(dayAggregates.count == 2)
        #expect(dayAggregates.last?.status == .succeeded)
        #expect(dayAggregates.last?.reason == RefetchMarks.historyRerunReason(reloaded: [Self.previousDay]))
        #expect(try Self.openMarks(fixture, on: db).isEmpty)

        // Transfers and aggregates equal the post-reorg truth over the two loaded days.
        #expect(Set(try Self.stored(fixture, on: db).keys) == after)
        let truth = try GroundTruth.compute(
            seed: Self.seed, chainID: 1, tokens: Self.tokens.map(\.address), from: Self.previousDay, to: Self.day,
            transfersPerDay: Self.transfersPerDay, includeTransfers: false, reorgs: reorgs)
        #expect(
            try Self.strings(
                db,
                """
                SELECT concat_ws('|', token_address, day, transfer_count, volume_raw, unique_senders,
                                  unique_receivers, mint_count, mint_raw, burn_count, burn_raw)
                FROM daily_token_volume WHERE chain_id = 1
                """)
                == truth.daily.map {
                    [
                        $0.tokenAddress, "\($0.day)", "\($0.transferCount)", $0.volumeRaw, "\($0.uniqueSenders)",
                        "\($0.uniqueReceivers)", "\($0.mintCount)", $0.mintRaw, "\($0.burnCount)", $0.burnRaw,
                    ].joined(separator: "|")
                }.sorted())
        #expect(
            try Self.strings(
                db, "SELECT concat_ws('|', token_address, holder, balance_raw) FROM holder_balances WHERE chain_id = 1")
                == truth.holders.map { "\($0.tokenAddress)|\($0.holder)|\($0.balanceRaw)" }.sorted())
        #expect(
            try Self.strings(
                db,
                """
                SELECT concat_ws('|', token_address, as_of_day, volume_24h_raw, volume_7d_raw, volume_total_raw,
                                  transfers_24h, holders, supply_raw)
                FROM token_summary WHERE chain_id = 1
                """)
                == truth.summary.map {
                    [
                        $0.tokenAddress, "\($0.asOf)", $0.volume24hRaw, $0.volume7dRaw, $0.volumeTotalRaw,
                        "\($0.transfers24h)", "\($0.holders)", $0.supplyRaw,
                    ].joined(separator: "|")
                }.sorted())
    }

    /// Every row of `sql` (one text column), sorted.
    static func strings(_ db: PostgresConnection, _ sql: String) throws -> [String] {
        let rows = try db.execute(SQLQuery(unsafeSQL: sql))
        return (0..<rows.count).compactMap { rows.value(row: $0, column: 0) }.sorted()
    }
}

/// A fresh database on the `DATABASE_URL` server, dropped when the value goes away: the aggregate
/// tables are not per pipeline, so a test that checks them exactly needs its own.
final class ScratchDatabase {
    let url: String
    private let name: String
    private let serverURL: String

    init() throws {
        serverURL = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"])
        name = "reorg_\(UUID().uuidString.prefix(8).lowercased())"
        url =
            serverURL.contains("://")
            ? serverURL + (serverURL.contains("?") ? "&" : "?") + "dbname=\(name)" : serverURL + " dbname=\(name)"
        let admin = try PostgresConnection.connect(
            url: serverURL, applicationName: "chainetl tests", logger: Self.logger)
        defer { admin.close() }
        try admin.execute(SQLQuery(unsafeSQL: "CREATE DATABASE \(SQLIdentifier.quote(name))"))
    }

    deinit {
        if let admin = try? PostgresConnection.connect(
            url: serverURL, applicationName: "chainetl tests", logger: Self.logger)
        {
            _ = try? admin.execute(
                SQLQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(SQLIdentifier.quote(name)) WITH (FORCE)"))
            admin.close()
        }
    }

    func connect() throws -> PostgresConnection {
        try PostgresConnection.connect(url: url, applicationName: "chainetl tests", logger: Self.logger)
    }

    static let logger = Logger(label: "chainetl.tests.scratch") { _ in SwiftLogNoOpLogHandler() }
}

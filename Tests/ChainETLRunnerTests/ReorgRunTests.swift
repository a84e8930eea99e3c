import ChainETLCore
import ChainETLPostgres
import ChainETLSimulator
import Foundation
import Logging
import Testing

@testable import ChainETLRunner

/// A reorg end to end through the runner: extract → normalize → dedupe → load of D − 1 from the
/// in-process simulator, a block near D − 1's end replaced, D's extract marking D − 1 in
/// `etl_refetch`, and the next scheduled run (yesterday = D) serving the mark: it reloads D − 1
/// to the post-reorg truth.

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

    static func pipeline(port: Int) -> String {
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
            """
    }

    /// The open marks of the fixture's pipeline: `partition chain token | reason`.
    static func openMarks(_ fixture: RunnerFixture, on db: PostgresConnection) throws -> [String] {
        let rows = try db.execute(
            SQLQuery(
                """
                SELECT partition::text || ' ' || chain_id || ' ' || token_address || ' | ' || reason
                FROM etl_refetch WHERE pipeline = $1 AND cleared_at IS NULL ORDER BY 1
                """, [fixture.pipelineName]))
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

    @Test func aReorgMarksThePreviousDayAndTheNextRunReloadsItToTheNewTruth() throws {
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
        let marks = try Self.openMarks(fixture, on: db)
        #expect(marks.contains { $0.hasPrefix("\(Self.previousDay) 1 \(Self.usdc.address) | reorg: block \(block) ") })
        #expect(marks.allSatisfy { $0.contains(" | reorg: block \(block) ") }, "\(marks)")
        #expect(run2.result.report?.events.contains { $0.kind == "reorg" && $0.details["block"] == "\(block)" } == true)
        #expect(Set(try Self.stored(fixture, on: db).keys) == before, "D − 1 is not touched before its rerun")

        // Run 3, the next scheduled run (no partition: yesterday is D). It also serves the mark:
        // D − 1 is re-extracted because of it and reloaded; D skips.
        let nextNight = Date(timeIntervalSince1970: TimeInterval(Self.day.endUnixSeconds + 12 * 3_600))
        let run3 = try fixture.run(partitions: .yesterday, now: nextNight)
        try #require(run3.result.exitCode == 0, "\(run3.stderr)")
        #expect(run3.result.report?.partitions == [Self.previousDay, Self.day])
        #expect(run3.stderr.contains("refetch marks add partitions"), "\(run3.stderr)")
        let reextract = try #require(
            run3.result.report?.units.first { $0.stage == "extract" && $0.partition == Self.previousDay })
        #expect(reextract.status == .succeeded)
        #expect(reextract.reason == RefetchMarks.reason)
        #expect(run3.result.status("load", "\(Self.previousDay)") == .succeeded)
        #expect(run3.result.status("extract", "\(Self.day)") == .skipped)
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

        // Run 4: nothing is marked and nothing changed; the scheduled run covers yesterday alone.
        let run4 = try fixture.run(partitions: .yesterday, now: nextNight)
        #expect(run4.result.exitCode == 0)
        #expect(run4.result.report?.partitions == [Self.day])
        #expect(run4.result.report?.units.allSatisfy { $0.status == .skipped } == true)
        let run5 = try fixture.run(partitions: .range(from: Self.previousDay, to: Self.day))
        #expect(run5.result.exitCode == 0)
        #expect(run5.result.report?.units.allSatisfy { $0.status == .skipped } == true)
    }
}

import ChainETLCore
import ChainETLExplorers
import ChainETLPostgres
import ChainETLSimulator
import Foundation
import Logging
import Testing

@testable import ChainETLStages

/// The extract stages' reorg check: D − 1's last window re-read after D, compared block by block,
/// D − 1 marked in `etl_refetch` when a hash changed (in-process simulator; PostgreSQL for the marks).
@Suite("Extract: the reorg check of the previous day")
struct ExtractReorgTests {
    static let previousDay = PartitionDay("2026-11-15")!
    static let day = PartitionDay("2026-11-16")!
    static let token = ExtractFixture.erc20Tokens(chainID: 1, count: 1)[0]
    static let generator = ChainGenerator(
        chainID: 1,
        configuration: GeneratorConfiguration(
            seed: ExtractFixture.seed, transfersPerDay: ExtractFixture.transfersPerDay))!

    /// The default window of chain 1 (12 confirmations): the 64 blocks before D's first.
    static var window: ClosedRange<Int> {
        let first = SimulatedChain.chain(id: 1)!.blocks(on: day)!.lowerBound
        return (first - 64)...(first - 1)
    }

    /// The last block of the window holding a transfer of `token`: a reorg there is visible.
    static var reorgBlock: Int {
        window.reversed().first { number in
            generator.block(number).logs.contains { !$0.isERC721 && $0.tokenAddress == token.address }
        }!
    }

    /// A simulator pinned like `ExtractFixture`'s, on `port` (0: any), applying `reorgs`.
    static func simulator(port: Int = 0, reorgs: [SimulatedReorg] = []) throws -> SimulatorServer {
        var configuration = SimulatorConfiguration(
            port: port,
            generator: GeneratorConfiguration(
                seed: ExtractFixture.seed, transfersPerDay: ExtractFixture.transfersPerDay),
            apiKey: ExtractFixture.apiKey, fixedNow: ExtractFixture.pinnedNow)
        configuration.reorgs = reorgs
        let server = try SimulatorServer(
            configuration: configuration,
            logger: Logger(label: "chainetl.tests.simulator") { _ in SwiftLogNoOpLogHandler() })
        _ = try server.start()
        return server
    }

    /// What D's extraction did after D − 1 was extracted by the stage (checkpoint only, nothing loaded).
    struct Outcome {
        var summary: DayExtractionSummary
        var capture: ExtractionCapture
        var details: [String: String] { summary.details }
    }

    /// Extracts D − 1 with the stage (committing its checkpoint), then, with `reorgs` applied by a
    /// simulator restarted on the same port, extracts D with the reorg check against `baseline`.
    static func scenario(
        kind: ExtractKind = .etherscanLogs, explorer: ExplorerKind = .etherscan, with values: [(String, Any)] = [],
        reorgs: [SimulatedReorg] = [], extractPreviousDay: Bool = true,
        baseline: (_ pipeline: PipelineSpec, _ workdir: URL) -> any ReorgBaseline
    ) throws -> Outcome {
        let workdir = try ExtractFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: workdir) }
        var server = try simulator()
        defer { server.stop() }
        let chain = ExtractFixture.chain(
            explorer: explorer, server: server, keyVariable: explorer == .etherscan ? ExtractFixture.keyVariable : nil,
            tokens: [token])
        let (pipeline, spec) = ExtractFixture.pipeline(chains: [chain], kind: kind, with: values)
        let logger = Logger(label: "chainetl.tests.reorg") { _ in SwiftLogNoOpLogHandler() }
        if extractPreviousDay {
            let unit = try ExtractUnit(
                pipeline: pipeline, spec: spec, day: previousDay, workdir: workdir,
                services: ExtractFixture.services(), logger: logger)
            _ = try unit.runAndCommit()
        }
        if !reorgs.isEmpty {
            let port = server.port
            server.stop()
            server = try simulator(port: port, reorgs: reorgs)
        }
        var dependencies = ExtractFixture.dependencies()
        dependencies.reorgBaseline = baseline(pipeline, workdir)
        let (summary, capture) = try ExtractDayExtractionTests.extract(
            try ExtractConfiguration(kind: kind, spec: spec, pipeline: pipeline), day: day,
            dependencies: dependencies, logger: logger)
        // Nothing re-read from D − 1 is written to D's checkpoint.
        let dayBlocks = SimulatedChain.chain(id: 1)!.blocks(on: day)!
        for line in capture.lines {
            let row: [String: Any] = try ExtractedTransfer.field(try ExtractedTransfer.object(line), "row")
            let block: Int
            if let v2 = row["block_number"] as? Int {
                block = v2  // Blockscout REST v2
            } else {
                let text: String = try ExtractedTransfer.field(row, "blockNumber")
                block = try #require(text.hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text))
            }
            #expect(dayBlocks.contains(block), "a line of block \(block) is outside \(day)")
        }
        #expect(capture.lines.count == summary.rows)
        return Outcome(summary: summary, capture: capture)
    }

    /// A database schema with the ledger, `transfers` and `etl_refetch`.
    static let quietLogger = Logger(label: "chainetl.tests.reorg") { _ in SwiftLogNoOpLogHandler() }

    static func database() throws -> LoadTestDatabase {
        let database = try LoadTestDatabase()
        let sql = try String(
            contentsOf: LoadTestDatabase.schemasDirectory.appendingPathComponent("0006_reconcile.sql"), encoding: .utf8)
        try database.connection.executeScript(unsafeSQL: sql)
        return database
    }

    static func baseline(_ database: LoadTestDatabase, pipeline: PipelineSpec, workdir: URL) -> StageReorgBaseline {
        StageReorgBaseline(
            pipeline: pipeline.name, stageID: "extract", workdir: workdir, runID: "reorg-test-run",
            logger: LoadTestDatabase.logger, database: { database.connection })
    }

    static func marks(_ database: LoadTestDatabase) throws -> [String] {
        try database.column(
            """
            SELECT partition::text || ' ' || chain_id || ' ' || token_address || ' ' || marked_by_run || ' ' || reason
            FROM etl_refetch WHERE cleared_at IS NULL ORDER BY 1
            """
        ).compactMap { $0 }
    }

    // MARK: - Against the simulator

    @Test func anUnchangedWindowMarksNothing() throws {
        let database = try Self.database()
        let outcome = try Self.scenario { pipeline, workdir in
            Self.baseline(database, pipeline: pipeline, workdir: workdir)
        }
        let details = outcome.details
        #expect(details["chain.ethereum.reorg_check"] == "checkpoint")
        #expect(details["chain.ethereum.reorg_partition"] == "2026-11-15")
        #expect(details["chain.ethereum.reorg_window"] == "\(Self.window.lowerBound)-\(Self.window.upperBound)")
        #expect(details["chain.ethereum.reorg_targets"] == "1")
        #expect(details["chain.ethereum.reorg_mismatches"] == "0")
        #expect(details["chain.ethereum.reorg_marked"] == "0")
        let calls = try #require(Int(details["chain.ethereum.reorg_calls"] ?? ""))
        #expect(calls >= 1)
        #expect(try #require(Int(details["chain.ethereum.calls"] ?? "")) > calls)
        #expect(try Self.marks(database).isEmpty)
        #expect(!outcome.capture.events.contains { $0.kind == "reorg" })
        // The day itself is complete: the re-read changed nothing in it.
        try ExtractDayExtractionTests.expectGroundTruth(
            outcome.capture.lines, chainID: 1, tokens: [Self.token.address], day: Self.day)
    }

    @Test func aChangedBlockHashMarksThePreviousDay() throws {
        let database = try Self.database()
        let block = Self.reorgBlock
        let reorg = SimulatedReorg(chainID: 1, block: block, salt: 7, keepsTransfers: true)
        let outcome = try Self.scenario(reorgs: [reorg]) { pipeline, workdir in
            Self.baseline(database, pipeline: pipeline, workdir: workdir)
        }
        let before = Self.generator.block(block).hash
        var reorged = Self.generator.configuration
        reorged.reorgs = [reorg]
        let after = ChainGenerator(chainID: 1, configuration: reorged)!.block(block).hash
        #expect(before != after)

        #expect(outcome.details["chain.ethereum.reorg_check"] == "checkpoint")
        #expect(outcome.details["chain.ethereum.reorg_mismatches"] == "1")
        #expect(outcome.details["chain.ethereum.reorg_marked"] == "1")
        #expect(
            try Self.marks(database) == [
                "2026-11-15 1 \(Self.token.address) reorg-test-run reorg: block \(block) hash changed from \(before) to \(after)"
            ])
        let event = try #require(outcome.capture.events.first { $0.kind == "reorg" })
        #expect(event.details["block"] == "\(block)")
        #expect(event.details["hash.before"] == before)
        #expect(event.details["hash.after"] == after)
        #expect(event.details["partition"] == "2026-11-15")
        #expect(event.details["token"] == Self.token.address)
        #expect(event.details["transfers.only_before"] == "0")
        #expect(event.details["baseline"] == "checkpoint")
        #expect(outcome.capture.events.filter { $0.kind == "reorg" }.count == 1)

        // The same reorg seen again refreshes the one open mark instead of adding another.
        let again = try Self.scenario(reorgs: [reorg]) { pipeline, workdir in
            Self.baseline(database, pipeline: pipeline, workdir: workdir)
        }
        #expect(again.details["chain.ethereum.reorg_marked"] == "1")
        #expect(try Self.marks(database).count == 1)
    }

    @Test func aReorgBeforeTheWindowIsNotSeen() throws {
        let database = try Self.database()
        // The block just before the window changes: the check reads only the window.
        let outside = (Self.window.lowerBound - 200..<Self.window.lowerBound).reversed().first { number in
            Self.generator.block(number).logs.contains { !$0.isERC721 && $0.tokenAddress == Self.token.address }
        }!
        let outcome = try Self.scenario(reorgs: [SimulatedReorg(chainID: 1, block: outside, salt: 2)]) {
            pipeline, workdir in Self.baseline(database, pipeline: pipeline, workdir: workdir)
        }
        #expect(outcome.details["chain.ethereum.reorg_mismatches"] == "0")
        #expect(try Self.marks(database).isEmpty)
    }

    @Test func blockscoutRestV2ComparesBlockHashesToo() throws {
        let database = try Self.database()
        let block = Self.reorgBlock
        let reorg = SimulatedReorg(chainID: 1, block: block, salt: 11, keepsTransfers: true)
        let outcome = try Self.scenario(
            kind: .blockscout, explorer: .blockscout, with: [("mode", "v2")], reorgs: [reorg]
        ) { pipeline, workdir in
            Self.baseline(database, pipeline: pipeline, workdir: workdir)
        }
        var reorged = Self.generator.configuration
        reorged.reorgs = [reorg]
        let after = ChainGenerator(chainID: 1, configuration: reorged)!.block(block).hash
        #expect(outcome.details["chain.ethereum.source"] == "blockscout-v2")
        #expect(outcome.details["chain.ethereum.reorg_check"] == "checkpoint")
        #expect(outcome.details["chain.ethereum.reorg_mismatches"] == "1")
        #expect(outcome.details["chain.ethereum.reorg_marked"] == "1")
        #expect(try #require(Int(outcome.details["chain.ethereum.reorg_calls"] ?? "")) >= 1)
        let mark = try #require(try Self.marks(database).first)
        #expect(mark.hasPrefix("2026-11-15 1 \(Self.token.address) reorg-test-run reorg: block \(block) hash changed"))
        #expect(mark.hasSuffix(" to \(after)"))
        // D itself was extracted in full (the scenario checked every line is inside D).
        #expect(outcome.summary.rows > 100)
    }

    @Test func blockscoutGetLogsHasNoBlockHashAndSkipsTheCheck() throws {
        let outcome = try Self.scenario(
            kind: .blockscout, explorer: .blockscout, with: [("mode", "logs")],
            reorgs: [SimulatedReorg(chainID: 1, block: Self.reorgBlock, salt: 3, keepsTransfers: true)]
        ) { pipeline, workdir in
            StageReorgBaseline(
                pipeline: pipeline.name, stageID: "extract", workdir: workdir, runID: "r", logger: Self.quietLogger,
                database: { throw ExtractReorgTestError.noDatabase })
        }
        #expect(outcome.details["chain.ethereum.reorg_check"] == "skipped")
        #expect(outcome.details["chain.ethereum.reorg_skipped"] == "blockscout-logs rows carry no blockHash")
        #expect(outcome.details["chain.ethereum.reorg_calls"] == "0")
        #expect(outcome.details["chain.ethereum.reorg_mismatches"] == "0")
        #expect(!outcome.capture.events.contains { $0.kind == "reorg" })
    }

    @Test func withoutAnythingOfThePreviousDayOrWhenTurnedOffTheCheckSendsNothing() throws {
        func noDatabase(_ pipeline: PipelineSpec, _ workdir: URL) -> any ReorgBaseline {
            StageReorgBaseline(
                pipeline: pipeline.name, stageID: "extract", workdir: workdir, runID: "r", logger: Self.quietLogger,
                database: { throw ExtractReorgTestError.noDatabase })
        }
        let nothing = try Self.scenario(extractPreviousDay: false, baseline: noDatabase)
        #expect(nothing.details["chain.ethereum.reorg_check"] == "skipped")
        #expect(nothing.details["chain.ethereum.reorg_skipped"] == "nothing of 2026-11-15 is loaded or extracted")
        #expect(nothing.details["chain.ethereum.reorg_calls"] == "0")

        let off = try Self.scenario(with: [("reorg_check", "false")], baseline: noDatabase)
        #expect(off.details["chain.ethereum.reorg_check"] == "off")
        #expect(off.details["chain.ethereum.reorg_calls"] == "0")
        #expect(off.details["chain.ethereum.reorg_partition"] == nil)

        // A custom window with the checkpoint as baseline (the store is unreachable).
        let narrow = try Self.scenario(with: [("reorg_window_blocks", "5")], baseline: noDatabase)
        #expect(narrow.details["chain.ethereum.reorg_check"] == "checkpoint")
        #expect(
            narrow.details["chain.ethereum.reorg_window"] == "\(Self.window.upperBound - 4)-\(Self.window.upperBound)")
    }

    // MARK: - Pieces

    @Test func differencesAreChangedHashesAndTransfersOnOneSide() {
        var before = ReorgWindow()
        before.add(block: 10, hash: "0xAA", transferID: "id1", token: "0xt1")
        before.add(block: 11, hash: "0xbb", transferID: "id2", token: "0xt1")
        before.add(block: 11, hash: "0xbb", transferID: "id3", token: "0xt2")
        before.add(block: 12, hash: "0xcc", transferID: "id4", token: "0xt1")
        before.add(block: 13, hash: nil, transferID: "id5", token: "0xt1")
        var after = ReorgWindow()
        after.add(block: 10, hash: "0xaa", transferID: "ID1", token: "0xT1")  // same, other case
        after.add(block: 11, hash: "0xdd", transferID: "id2", token: "0xt1")  // new hash, same transfers
        after.add(block: 11, hash: "0xdd", transferID: "id3", token: "0xt2")
        after.add(block: 13, hash: "0xee", transferID: "id5", token: "0xt1")  // a hash only on one side
        after.add(block: 14, hash: "0xff", transferID: "id6", token: "0xt2")  // a block only at the explorer
        #expect(before.transferCount == 5)
        #expect(ReorgWindow.differences(before: before, after: before).isEmpty)

        let differences = ReorgWindow.differences(before: before, after: after)
        #expect(differences.map(\.block) == [11, 12, 14])
        #expect(differences[0].hashChanged)
        #expect(differences[0].tokens == ["0xt1", "0xt2"])
        #expect(differences[0].reason(baseline: "store") == "reorg: block 11 hash changed from 0xbb to 0xdd")
        #expect(!differences[1].hashChanged)
        #expect(differences[1].tokens == ["0xt1"])
        #expect(
            differences[1].reason(baseline: "store")
                == "reorg: block 12 transfers changed (1 only in the store, 0 only at the explorer)")
        #expect(differences[2].onlyAfter == 1 && differences[2].tokens == ["0xt2"])
    }

    @Test func theWindowStaysBehindHeadMinusConfirmations() {
        #expect(ReorgCheck.window(dayFirstBlock: 1000, head: 5000, confirmations: 12, size: 64) == 936...999)
        // An open day under --allow-open: the previous day's last blocks may not be confirmed yet.
        #expect(ReorgCheck.window(dayFirstBlock: 1000, head: 1005, confirmations: 12, size: 64) == 936...993)
        #expect(ReorgCheck.window(dayFirstBlock: 1000, head: 940, confirmations: 12, size: 64) == nil)
        #expect(ReorgCheck.window(dayFirstBlock: 10, head: 5000, confirmations: 12, size: 64) == 0...9)
        #expect(ReorgCheck.window(dayFirstBlock: 0, head: 5000, confirmations: 12, size: 64) == nil)
    }

    @Test func settingsDefaultToTwiceTheConfirmationsAndAtLeast64() throws {
        let server = try Self.simulator()
        defer { server.stop() }
        func chain(confirmations: Int) -> ChainSpec {
            ExtractFixture.chain(server: server, confirmations: confirmations, tokens: [Self.token])
        }
        let defaults = ReorgCheckSettings()
        #expect(defaults.enabled)
        #expect(defaults.window(for: chain(confirmations: 12)) == 64)
        #expect(defaults.window(for: chain(confirmations: 50)) == 100)
        #expect(ReorgCheckSettings(windowBlocks: 8).window(for: chain(confirmations: 50)) == 8)

        let (pipeline, spec) = ExtractFixture.pipeline(
            chains: [chain(confirmations: 12)], kind: .etherscanLogs,
            with: [("reorg_check", "false"), ("reorg_window_blocks", "128")])
        let configured = try ExtractConfiguration(kind: .etherscanLogs, spec: spec, pipeline: pipeline)
        #expect(configured.reorg == ReorgCheckSettings(enabled: false, windowBlocks: 128))
        let (_, bad) = ExtractFixture.pipeline(
            chains: [chain(confirmations: 12)], kind: .etherscanLogs, with: [("reorg_window_blocks", "0")])
        #expect {
            _ = try ExtractConfiguration(kind: .etherscanLogs, spec: bad, pipeline: pipeline)
        } throws: { error in
            "\(error)".contains("reorg_window_blocks must be between 1 and 10000, got 0")
        }
        #expect(
            ExtractKind.allCases.allSatisfy { kind in
                kind.schema.parameters.contains { $0.name == "reorg_check" }
                    && kind.schema.parameters.contains { $0.name == "reorg_window_blocks" }
            })
    }
}

enum ExtractReorgTestError: Error {
    case noDatabase
}

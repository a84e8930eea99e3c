import ChainETLCore
import ChainETLSimulator
import Foundation
import Testing

@testable import ChainETLStages

@Suite("normalize/transfers stage")
struct NormalizeStageTests {
    static let day = PartitionDay("2026-11-20")!
    static let seed: UInt64 = 11

    static let stages = """
          - id: extract
            uses: test/emit
            with: { rows: 0 }
          - id: normalize
            uses: normalize/transfers
            needs: [extract]

        """

    /// getLogs rows of every token (ERC-721 included) of both chains, chain by chain and token by
    /// token, as one extract stage writes them.
    static func rawDays() throws -> [SimulatedDay] {
        try [1, 25].map { try SimulatedDay(chainID: $0, day: day, seed: seed, transfersPerDay: 40) }
    }

    static func logLines(_ days: [SimulatedDay]) -> [[UInt8]] {
        days.flatMap { day in day.rawLines(.etherscanLogs, targets: day.tokens.map { .token($0.address) }) }
    }

    @Test("a multi-token, multi-chain raw checkpoint normalizes to exactly the ground-truth transfers")
    func multiTokenMultiChain() throws {
        let harness = try TransferStageHarness(stages: Self.stages)
        let days = try Self.rawDays()
        let lines = Self.logLines(days)
        try harness.writeRaw("extract", day: Self.day, lines: lines)
        let (outcome, manifest) = try harness.run("normalize", day: Self.day)

        let truth = days.flatMap { try! #require($0.truth.transfers) }
        let erc721 = days.reduce(0) { $0 + $1.truth.erc721LogsExcluded }
        try #require(!truth.isEmpty && erc721 > 0)
        let parts = try harness.recordsByPart("normalize", day: Self.day)
        let records = parts.flatMap { $0 }
        #expect(records.count == truth.count)
        #expect(Set(records.map(\.transferID)) == Set(truth.map(\.transferID)))
        #expect(records.contains { $0.occurrence == 1 }, "the day should hold a repeated transfer")

        // Blocks go back at every token boundary, so each (chain, token) run is its own sorted part.
        let tokenRuns = days.reduce(0) { total, day in
            total + day.tokens.filter { token in truthTokens(day).contains(token.address) }.count
        }
        #expect(parts.count == tokenRuns)
        for part in parts {
            #expect(Set(part.map(\.chainID)).count == 1 && Set(part.map(\.tokenAddress)).count == 1)
            #expect(part.map(\.blockNumber) == part.map(\.blockNumber).sorted())
        }
        #expect(records.contains { $0.chainID == 25 } && records.contains { $0.chainID == 1 })
        let usdc = try #require(records.first { $0.chainID == 1 && $0.tokenSymbol == "USDC" })
        #expect(usdc.tokenDecimals == 6 && usdc.source == .etherscanLogs)

        #expect(outcome.counts == manifest.counts)
        #expect(manifest.counts.rowsIn == lines.count)
        #expect(manifest.counts.rowsOut == truth.count)
        #expect(manifest.counts.excluded == erc721 && manifest.counts.quarantined == 0)
        #expect(manifest.counts.balances)
        #expect(manifest.details["excluded.erc721_transfer"] == "\(erc721)")
        #expect(manifest.details["runs"] == "\(days.reduce(0) { $0 + $1.tokens.count })")
        #expect(manifest.details["chain.25.rows_out"] == "\(try #require(days[1].truth.transfers).count)")
        #expect(manifest.sideFiles.map(\.name) == [NormalizeStage.quarantineFileName])
        #expect(try harness.sideFileLines("normalize", day: Self.day, name: NormalizeStage.quarantineFileName).isEmpty)
    }

    private func truthTokens(_ day: SimulatedDay) -> Set<String> {
        Set((day.truth.transfers ?? []).map(\.tokenAddress))
    }

    @Test("bad rows go to quarantine.ndjson.gz with their reasons; nothing valid is lost")
    func quarantineSideFile() throws {
        let stages = """
              - id: extract
                uses: test/emit
                with: { rows: 0 }
              - id: normalize
                uses: normalize/transfers
                needs: [extract]
                with: { quarantine_threshold: 0.5, chains: [ethereum] }

            """
        let harness = try TransferStageHarness(stages: stages)
        let days = try Self.rawDays()
        var lines = Self.logLines(days)
        let chain1Lines = days[0].rawLines(.etherscanLogs, targets: days[0].tokens.map { .token($0.address) }).count
        // A corrupted transaction hash in the middle of a run, a cut-off line and an unknown chain.
        let victim = 10
        let victimText = String(decoding: lines[victim], as: UTF8.self)
        let badHash = victimText.replacingOccurrences(
            of: "\"transactionHash\":\"0x", with: "\"transactionHash\":\"0xzz")
        try #require(badHash != victimText)
        lines[victim] = Array(badHash.utf8)
        lines.insert(Array(victimText.prefix(80).utf8), at: 20)
        lines.insert(
            Array(victimText.replacingOccurrences(of: "\"chain_id\":1,", with: "\"chain_id\":999,").utf8), at: 30)
        try harness.writeRaw("extract", day: Self.day, lines: lines)
        let (_, manifest) = try harness.run("normalize", day: Self.day)

        let quarantined = try harness.sideFileLines("normalize", day: Self.day, name: NormalizeStage.quarantineFileName)
        let reasons = try quarantined.map { line -> String in
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["raw"] != nil && (object["message"] as? String)?.isEmpty == false)
            return try #require(object["reason"] as? String)
        }
        #expect(Set(reasons) == ["invalid_tx_hash", "invalid_json", "unknown_chain"])
        #expect(quarantined.count == 3)
        #expect(manifest.counts.quarantined == 3)
        #expect(manifest.details["quarantined.unknown_chain"] == "1")
        #expect(manifest.details["quarantined.invalid_json"] == "1")
        #expect(manifest.sideFileRows(NormalizeStage.quarantineFileName) == 3)

        // Cronos is declared but not selected: excluded, not quarantined.
        let cronosLines = lines.count - 2 - chain1Lines
        let erc721 = days[0].truth.erc721LogsExcluded
        #expect(manifest.details["excluded.chain_not_selected"] == "\(cronosLines)")
        #expect(manifest.counts.excluded == cronosLines + erc721)
        let truth = try #require(days[0].truth.transfers)
        let records = try harness.records("normalize", day: Self.day)
        #expect(records.count == truth.count - 1)
        #expect(Set(records.map(\.transferID)).isSubset(of: Set(truth.map(\.transferID))))
        #expect(records.allSatisfy { $0.chainID == 1 })
        #expect(manifest.counts.balances && manifest.counts.rowsIn == lines.count)
        #expect(harness.events.all.contains { $0.kind == "rows.quarantined" && $0.details["count"] == "3" })
    }

    @Test("past the threshold the stage fails naming the count, the reasons and the kept quarantine file")
    func thresholdFailure() throws {
        let harness = try TransferStageHarness(stages: Self.stages)
        let days = try Self.rawDays()
        var lines = Self.logLines(days)
        lines.insert(Array("{\"source\":\"etherscan-logs\",\"chain_id\":1,\"row\":".utf8), at: 5)
        lines.insert(Array("not json".utf8), at: 6)
        lines.insert(Array("{\"source\":\"etherscan-logs\",\"chain_id\":7,\"row\":{}}".utf8), at: 7)
        try #require(Double(3) > 0.001 * Double(lines.count))
        try harness.writeRaw("extract", day: Self.day, lines: lines)

        do {
            try harness.run("normalize", day: Self.day)
            Issue.record("normalize should fail past the quarantine threshold")
        } catch let error as NormalizeError {
            let kept = harness.workdir.appendingPathComponent("quarantine/transfers/\(Self.day)/normalize.ndjson.gz")
            let message = error.description
            #expect(message.contains("quarantined 3 of \(lines.count) rows"))
            #expect(message.contains("invalid_json ×2") && message.contains("unknown_chain ×1"))
            #expect(message.contains(kept.path))
            #expect(message.contains("quarantine_threshold"))
            let reader = try GzipLineReader(path: kept.path)
            var keptLines = 0
            while try reader.nextLine() != nil { keptLines += 1 }
            #expect(keptLines == 3)
        }
        #expect(try CheckpointStore.existingManifest(at: harness.location("normalize", Self.day)) == nil)
    }

    @Test("a block going backwards inside one extraction run fails, naming the input")
    func outOfOrderRun() throws {
        let harness = try TransferStageHarness(stages: Self.stages)
        let days = try Self.rawDays()
        let usdc = days[0].tokens[0].address
        var lines = days[0].rawLines(.etherscanLogs, targets: [.token(usdc)])
        try #require(lines.count > 10)
        let last = lines.removeLast()
        lines.insert(last, at: 3)
        try harness.writeRaw("extract", day: Self.day, lines: lines)
        #expect {
            try harness.run("normalize", day: Self.day)
        } throws: { error in
            guard case .runOutOfOrder(let input, let line, _, _) = error as? NormalizeError else { return false }
            return input == "extract" && line == 5 && "\(error)".contains("--select extract+")
        }
    }

    @Test("with: is checked when the pipeline loads")
    func configuration() throws {
        let bad = """
              - id: extract
                uses: test/emit
                with: { rows: 0 }
              - id: normalize
                uses: normalize/transfers
                needs: [extract]
                with: { quarantine_threshold: 5 }

            """
        #expect(throws: ConfigDiagnostic.self) { try TransferStageHarness(stages: bad).stage("normalize") }
        let unknownChain = bad.replacingOccurrences(of: "quarantine_threshold: 5", with: "chains: [ethereum]")
        #expect(throws: (any Error).self) {
            try TransferStageHarness(stages: unknownChain, chainIDs: [25]).stage("normalize")
        }
    }
}

extension CheckpointManifest {
    /// Rows of side file `name`, or nil when absent.
    fileprivate func sideFileRows(_ name: String) -> Int? {
        sideFiles.first { $0.name == name }?.rows
    }
}

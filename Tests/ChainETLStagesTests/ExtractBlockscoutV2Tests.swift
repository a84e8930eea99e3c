import ChainETLCore
import ChainETLExplorers
import ChainETLSimulator
import Foundation
import Logging
import Testing

@testable import ChainETLStages

@Suite("Extract: extract/blockscout mode v2 end to end")
struct ExtractBlockscoutV2Tests {
    /// Two closed days on chain 10 (2 s blocks, the simulator's Optimism) through the real stage
    /// (checkpoint writer, spill in its temporary directory, faults and a server rate limit on),
    /// normalized, give exactly the simulator's ground-truth transfer ids.
    @Test func twoDaysViaRestV2NormalizeToTheGroundTruthIDs() throws {
        let server = try ExtractFixture.startSimulator(
            faultRate: 0.03, faults: [.serviceUnavailable, .tooManyRequests, .truncate], ratePerSecond: 40, apiKey: nil)
        defer { server.stop() }
        let tokens = ExtractFixture.erc20Tokens(chainID: 10, count: 6)
        let chain = ExtractFixture.chain(
            name: "optimism", chainID: 10, explorer: .blockscout, server: server, keyVariable: nil,
            ratePerSecond: 30, confirmations: 20, tokens: tokens)
        let (pipeline, spec) = ExtractFixture.pipeline(chains: [chain], kind: .blockscout, with: [("mode", "v2")])
        let workdir = try ExtractFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: workdir) }
        let (logger, _) = CapturingLogHandler.logger()

        var totalRecords = 0
        for day in [PartitionDay("2026-11-15")!, PartitionDay("2026-11-16")!] {
            let unit = try ExtractUnit(
                pipeline: pipeline, spec: spec, day: day, workdir: workdir, services: ExtractFixture.services(),
                logger: logger)
            let manifest = try unit.runAndCommit()
            let lines = try unit.lines()
            #expect(manifest.counts.rowsOut == lines.count)
            #expect(manifest.details["chain.optimism.source"] == "blockscout-v2")
            #expect(manifest.parts.count == 1, "the spill file never lands in the checkpoint")

            // Per token: ascending (block_number, log_index), v2 request metadata, the day's blocks only.
            let blocks = try #require(SimulatedChain.chain(id: 10)?.blocks(on: day))
            var order: [String] = []
            var previous: [String: (Int, Int)] = [:]
            for line in lines {
                let object = try ExtractedTransfer.object(line)
                #expect(object["source"] as? String == "blockscout-v2")
                let request = try #require(object["request"] as? [String: Any])
                #expect(request["endpoint"] as? String == "v2/tokens/transfers")
                #expect(request["offset"] as? Int == 50)
                #expect(request["from_block"] as? Int == blocks.lowerBound)
                #expect(request["to_block"] as? Int == blocks.upperBound)
                let contract = try #require(request["contract"] as? String)
                let row = try #require(object["row"] as? [String: Any])
                let key = (try #require(row["block_number"] as? Int), try #require(row["log_index"] as? Int))
                #expect(blocks.contains(key.0))
                if let last = previous[contract] { #expect(last < key, "ascending within \(contract)") }
                previous[contract] = key
                if order.last != contract { order.append(contract) }
            }
            #expect(order == tokens.map(\.address), "one walk per token, in configuration order")

            // The normalize stage's driver: one run per extraction target, occurrences per run.
            var normalizer = PartitionNormalizer(
                partition: day, selected: [(chainID: 10, tokens: TokenMetadataLookup(tracked: tokens))],
                otherChains: [])
            var records = JSONLineWriter()
            var quarantine = JSONLineWriter()
            var runs = 0
            for (number, line) in lines.enumerated() {
                let result = try line.withUnsafeBytes {
                    try normalizer.normalize(
                        line: $0, lineNumber: number + 1, records: &records, quarantine: &quarantine)
                }
                if result.startsRun { runs += 1 }
            }
            #expect(runs == order.count)
            #expect(quarantine.bytes.isEmpty, "\(String(decoding: quarantine.bytes.prefix(1_000), as: UTF8.self))")
            #expect(normalizer.counts.isBalanced && normalizer.counts.excluded == 0)
            let kept = try NormalizeRun.lines(records.bytes).map { try TransferRecord(parsing: Array($0.utf8)) }

            let truth = try GroundTruth.compute(
                seed: ExtractFixture.seed, chainID: 10, tokens: tokens.map(\.address), from: day, to: day,
                transfersPerDay: ExtractFixture.transfersPerDay)
            let expected = try #require(truth.transfers)
            #expect(expected.count > 5_000)
            #expect(kept.count == expected.count, "records on \(day)")
            #expect(Set(kept.map(\.transferID)) == Set(expected.map(\.transferID)), "transfer ids on \(day)")
            let byID = Dictionary(uniqueKeysWithValues: expected.map { ($0.transferID, $0) })
            for record in kept {
                let want = try #require(byID[record.transferID])
                #expect(record.logIndex == want.logIndex && record.blockTimeText == want.blockTime)
            }
            #expect(kept.contains { $0.tokenDecimals == nil }, "NODEC's null decimals survive")
            #expect(kept.contains { $0.occurrence == 1 })
            totalRecords += kept.count
        }
        #expect(server.stats.faultsInjected > 0)
        #expect(totalRecords > 10_000)
    }

    @Test func modeV2IsConfiguredWithoutOffsetAndWalksAccountsToo() throws {
        let server = try ExtractFixture.startSimulator(apiKey: nil)
        defer { server.stop() }
        let tokens = ExtractFixture.erc20Tokens(chainID: 10, count: 1)
        let account = "0x" + String(repeating: "7", count: 40)
        let chain = ExtractFixture.chain(
            name: "optimism", chainID: 10, explorer: .blockscout, server: server, keyVariable: nil, tokens: tokens,
            accounts: [account])
        let (pipeline, spec) = ExtractFixture.pipeline(chains: [chain], kind: .blockscout, with: [("mode", "v2")])
        let configuration = try ExtractConfiguration(kind: .blockscout, spec: spec, pipeline: pipeline)
        #expect(configuration.offset == BlockscoutClient.v2PageSize)
        #expect(configuration.chains.first?.source == .blockscoutV2)
        #expect(
            configuration.chains.first?.targets == [try ExtractionTarget(contract: tokens[0].address, address: account)]
        )

        let (_, withOffset) = ExtractFixture.pipeline(
            chains: [chain], kind: .blockscout, with: [("mode", "v2"), ("offset", 100)])
        let error = #expect(throws: ConfigDiagnostic.self) {
            _ = try ExtractConfiguration(kind: .blockscout, spec: withOffset, pipeline: pipeline)
        }
        #expect(error?.message == "offset cannot be used with mode: v2")
        let (_, unknown) = ExtractFixture.pipeline(chains: [chain], kind: .blockscout, with: [("mode", "rest")])
        let unknownError = #expect(throws: ConfigDiagnostic.self) {
            _ = try ExtractConfiguration(kind: .blockscout, spec: unknown, pipeline: pipeline)
        }
        #expect(unknownError?.hint?.contains("mode: v2") == true)

        // An account nobody trades with: the address list is empty, so the day has no rows.
        let day = PartitionDay("2026-11-16")!
        let workdir = try ExtractFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: workdir) }
        let (logger, _) = CapturingLogHandler.logger()
        let unit = try ExtractUnit(
            pipeline: pipeline, spec: spec, day: day, workdir: workdir, services: ExtractFixture.services(),
            logger: logger)
        let manifest = try unit.runAndCommit()
        #expect(manifest.counts.rowsOut == 0)
        #expect(server.stats.byAction["blockscout:v2/addresses/token-transfers"] == 1)
    }
}

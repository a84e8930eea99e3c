import ChainETLCore
import ChainETLExplorers
import ChainETLSimulator
import ChainETLTestSupport
import Foundation
import Logging
import Testing

@testable import ChainETLStages

@Suite("Extract stages: checkpoint, manifest, events, secrets")
struct ExtractStageTests {
    @Test func theStandardRegistryKnowsTheThreeKindsAndTheirKeys() throws {
        let registry = StageRegistry.withTestStages
        for kind in ["extract/etherscan-logs", "extract/etherscan-tokentx", "extract/blockscout"] {
            #expect(registry.knownKinds.contains(kind))
        }
        let logs = try #require(registry.parameterSchema(forKind: "extract/etherscan-logs"))
        #expect(logs.parameters.map(\.name) == ["chains", "tokens", "offset", "reorg_check", "reorg_window_blocks"])
        #expect(logs.parameter(named: "chains")?.type == .chainList)
        let tokentx = try #require(registry.parameterSchema(forKind: "extract/etherscan-tokentx"))
        #expect(tokentx.parameters.map(\.name) == ["chains", "tokens", "accounts", "offset", "reorg_check", "reorg_window_blocks"])
        let blockscout = try #require(registry.parameterSchema(forKind: "extract/blockscout"))
        #expect(blockscout.parameters.map(\.name) == ["chains", "tokens", "accounts", "mode", "offset", "reorg_check", "reorg_window_blocks"])
    }

    @Test func aPartitionBecomesACheckpointOfRawRowsWithPerChainDetailsAndNoKeyAnywhere() throws {
        // Only faults that force a retry, often enough that a dozen calls meet some.
        let server = try ExtractFixture.startSimulator(
            faultRate: 0.3, faults: [.badGateway, .tooManyRequests, .truncate, .drop], ratePerSecond: 10)
        defer { server.stop() }
        let day = PartitionDay("2026-11-06")!
        let tokens = ExtractFixture.erc20Tokens(chainID: 1, count: 2)
        let chain = ExtractFixture.chain(server: server, ratePerSecond: 9, ratePerDay: 100_000, tokens: tokens)
        let (pipeline, spec) = ExtractFixture.pipeline(chains: [chain], kind: .etherscanLogs, with: [("offset", 1000)])
        let workdir = try ExtractFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: workdir) }
        let (logger, logs) = CapturingLogHandler.logger()
        let store = InMemoryQuotaStore()
        let unit = try ExtractUnit(
            pipeline: pipeline, spec: spec, day: day, workdir: workdir,
            services: ExtractFixture.services(quotaStore: store), logger: logger)

        let manifest = try unit.runAndCommit()
        let lines = try unit.lines()
        try ExtractDayExtractionTests.expectGroundTruth(
            lines, chainID: 1, tokens: tokens.map(\.address), day: day)
        #expect(manifest.recordSchema == "raw-explorer-row/1")
        #expect(manifest.kind == "extract/etherscan-logs")
        #expect(manifest.counts.rowsIn == lines.count && manifest.counts.rowsOut == lines.count)
        let blocks = try #require(SimulatedChain.chain(id: 1)?.blocks(on: day))
        #expect(manifest.details["chains"] == "ethereum")
        #expect(manifest.details["chain.ethereum.first_block"] == "\(blocks.lowerBound)")
        #expect(manifest.details["chain.ethereum.last_block"] == "\(blocks.upperBound)")
        #expect(manifest.details["chain.ethereum.rows"] == "\(lines.count)")
        #expect(manifest.details["chain.ethereum.targets"] == "2")
        let calls = try #require(manifest.details["chain.ethereum.calls"].flatMap { Int($0) })
        // URLSession may resend a GET itself after a dropped keep-alive connection (see the day tests).
        #expect(calls <= server.stats.requests)
        #expect(server.stats.requests - calls <= server.stats.faultsByKind["drop", default: 0])
        #expect(Int(manifest.details["chain.ethereum.head"] ?? "") ?? 0 > blocks.upperBound)
        #expect(ExtractStageRun.isUpToDate(manifest))

        // The daily quota counted every call, and progress showed what was left.
        let fingerprint = APIKeyFingerprint(apiKey: ExtractFixture.apiKey).value
        #expect(store.used(fingerprint: fingerprint, day: PartitionDay(containing: Date())) == calls)
        let last = try #require(unit.recorder.snapshots.last)
        #expect(last.unit == "blocks" && last.total == last.completed && last.total == blocks.count * 2)
        #expect(last.notes["rows"] == "\(lines.count)")
        #expect(last.notes["quota.left"] == "\(100_000 - calls)")

        // Faults became one-line events naming the endpoint and window, never the URL; the key is nowhere.
        let events = unit.recorder.events
        #expect(server.stats.faultsInjected > 0)
        #expect(events.contains { ["http.retry", "rate.throttled"].contains($0.kind) })
        #expect(events.allSatisfy { $0.stageID == "extract" && $0.partition == day })
        let eventText = events.map { "\($0.kind) \($0.message) \($0.details)" }.joined(separator: "\n")
        #expect(events.contains { $0.details["endpoint"]?.isEmpty == false && $0.message.contains("attempt ") })
        #expect(!eventText.contains("apikey"))
        let files = try ExtractFixture.allText(under: workdir)
        #expect(files.contains("\"source\":\"etherscan-logs\""))
        for text in [files, eventText, logs.lines.joined(separator: "\n")] {
            #expect(!text.contains(ExtractFixture.apiKey), "the api key leaked")
        }
    }

    @Test func anOpenDayCheckpointUnderAllowOpenIsNeverConsideredFinal() throws {
        let noon = PartitionDay("2026-11-19")!.startUnixSeconds + 43_200
        let server = try ExtractFixture.startSimulator(fixedNow: noon)
        defer { server.stop() }
        let chain = ExtractFixture.chain(server: server, tokens: ExtractFixture.erc20Tokens(chainID: 1, count: 1))
        let (pipeline, spec) = ExtractFixture.pipeline(chains: [chain], kind: .etherscanLogs)
        let workdir = try ExtractFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: workdir) }
        let (logger, _) = CapturingLogHandler.logger()

        let refused = try ExtractUnit(
            pipeline: pipeline, spec: spec, day: PartitionDay("2026-11-19")!, workdir: workdir,
            services: ExtractFixture.services(), logger: logger)
        let error = #expect(throws: ExtractError.self) { _ = try refused.runAndCommit() }
        #expect(try #require(error).description.contains("still open on chain ethereum"))

        let allowed = try ExtractUnit(
            pipeline: pipeline, spec: spec, day: PartitionDay("2026-11-19")!, workdir: workdir,
            services: ExtractFixture.services(), logger: logger, allowOpen: true)
        let manifest = try allowed.runAndCommit()
        #expect(manifest.details["chain.ethereum.open"] == "true")
        #expect(manifest.counts.rowsOut > 0)
        #expect(!ExtractStageRun.isUpToDate(manifest))
        #expect(try allowed.stage.isUpToDate(allowed.context, manifest: manifest) == false)
    }

    @Test func aMissingKeyVariableFailsTheStageNamingTheVariableNotAValue() throws {
        let server = try ExtractFixture.startSimulator()
        defer { server.stop() }
        let chain = ExtractFixture.chain(
            server: server, keyVariable: "CHAINETL_TEST_NO_SUCH_KEY",
            tokens: ExtractFixture.erc20Tokens(chainID: 1, count: 1))
        let (pipeline, spec) = ExtractFixture.pipeline(chains: [chain], kind: .etherscanLogs)
        let workdir = try ExtractFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: workdir) }
        let (logger, _) = CapturingLogHandler.logger()
        let unit = try ExtractUnit(
            pipeline: pipeline, spec: spec, day: PartitionDay("2026-11-06")!, workdir: workdir,
            services: ExtractFixture.services(environment: [:]), logger: logger)
        let error = #expect(throws: ExtractError.self) { _ = try unit.stage.run(unit.context) }
        #expect(
            try #require(error).description.hasPrefix(
                "chain ethereum reads its api key from the environment variable CHAINETL_TEST_NO_SUCH_KEY, which is not set"
            ))
        #expect(server.stats.requests == 0)
    }
}

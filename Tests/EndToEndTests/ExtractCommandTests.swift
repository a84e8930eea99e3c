import ChainETLCore
import ChainETLSimulator
import Foundation
import Logging
import Testing

/// `chainetl run` and `chainetl plan` with explorer extract stages, against an in-process simulator.
@Suite("chainetl run/plan with extract stages (binary)")
struct ExtractCommandTests {
    static let apiKey = "E2EXTRACTKEYd41f9c7b2aSECRET"
    static let seed: UInt64 = 21
    static let transfersPerDay = 900

    /// A simulator on the wall clock (so the runner's "today" and the chain head agree), with faults.
    static func startSimulator() throws -> SimulatorServer {
        let server = try SimulatorServer(
            configuration: SimulatorConfiguration(
                port: 0, generator: GeneratorConfiguration(seed: seed, transfersPerDay: transfersPerDay),
                apiKey: apiKey, ratePerSecond: 10, faultRate: 0.2,
                faultKinds: [.badGateway, .tooManyRequests, .truncate]),
            logger: Logger(label: "chainetl.e2e.simulator") { _ in SwiftLogNoOpLogHandler() })
        try server.start()
        return server
    }

    static func pipeline(server: SimulatorServer, tokens: [SimulatedToken], keyVariable: String = "E2E_SIM_KEY")
        throws -> E2EPipeline
    {
        let tokenLines = tokens.map { "      - { address: \"\($0.address)\", symbol: \($0.symbol) }" }
        return try E2EPipeline(
            """
            chains:
              ethereum:
                chain_id: 1
                explorer: etherscan
                base_url: \(server.baseURL)/v2/api
                api_key_env: \(keyVariable)
                rate_limit: { per_second: 8, per_day: 50000 }
                confirmations: 12
                tokens:
            \(tokenLines.joined(separator: "\n"))
            stages:
              - id: extract
                uses: extract/etherscan-logs
            """)
    }

    /// Every file under `directory` as text, gzip files decompressed.
    static func allText(under directory: URL) throws -> String {
        var text = ""
        let enumerator = try #require(FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil))
        for case let url as URL in enumerator {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            if url.pathExtension == "gz" {
                let reader = try GzipLineReader(path: url.path)
                try reader.forEachLine { text += String(decoding: $0, as: UTF8.self) + "\n" }
            } else {
                text += String(decoding: try Data(contentsOf: url), as: UTF8.self)
            }
        }
        return text
    }

    @Test func aBackfillWithFaultsMatchesGroundTruthRerunsFreeAndNeverShowsTheKey() throws {
        let server = try Self.startSimulator()
        defer { server.stop() }
        let tokens = SimulatedChain.tokens(chainID: 1).filter { ["USDC", "HUGE"].contains($0.symbol) }
        let pipeline = try Self.pipeline(server: server, tokens: tokens)
        let today = PartitionDay(containing: Date())
        let (from, to) = (today.advanced(by: -4), today.advanced(by: -2))
        let range = ["--from", from.description, "--to", to.description]
        let environment = ["E2E_SIM_KEY": Self.apiKey]

        let first = try pipeline.run(range + ["--log-format", "json"], environment: environment)
        #expect(first.exitCode == 0, "\(first.stderr)")
        #expect(first.stderrLines.last?.contains("3 stages ok, 0 skipped, 0 failed, 3 partitions") == true)
        #expect(server.stats.faultsInjected > 0)

        // Each partition's checkpoint holds exactly the ground truth: count and value sum per token.
        for day in PartitionDay.range(from: from, through: to) {
            let truth = try GroundTruth.compute(
                seed: Self.seed, chainID: 1, tokens: tokens.map(\.address), from: day, to: day,
                transfersPerDay: Self.transfersPerDay, includeTransfers: false)
            let directory = pipeline.checkpoint("extract", day.description)
            let manifest =
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: directory.appendingPathComponent("_manifest.json"))) as? [String: Any]
            let counts = try #require(manifest?["counts"] as? [String: Any])
            let expected = truth.daily.reduce(0) { $0 + $1.allTransferCount }
            #expect(counts["out"] as? Int == expected, "rows of \(day)")
            #expect(manifest?["record_schema"] as? String == "raw-explorer-row/1")
            var sums: [String: AmountSum] = [:]
            var rows: [String: Int] = [:]
            let reader = try GzipLineReader(path: directory.appendingPathComponent("part-00000.ndjson.gz").path)
            try reader.forEachLine { line in
                let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
                let row = object?["row"] as? [String: Any]
                let token = row?["address"] as? String ?? "?"
                let value = UInt256(hex: row?["data"] as? String ?? "") ?? .zero
                sums[token, default: AmountSum()].add(value)
                rows[token, default: 0] += 1
            }
            for volume in truth.daily {
                #expect(rows[volume.tokenAddress] == volume.allTransferCount, "\(volume.tokenAddress) on \(day)")
                #expect(
                    sums[volume.tokenAddress]?.description == volume.allValueRaw, "\(volume.tokenAddress) on \(day)")
            }
        }

        // A second run skips everything and sends no request at all.
        let requestsBefore = server.stats.requests
        let second = try pipeline.run(range + ["--log-format", "text"], environment: environment)
        #expect(second.exitCode == 0)
        #expect(second.stderrLines.last?.contains("0 stages ok, 3 skipped, 0 failed") == true)
        #expect(server.stats.requests == requestsBefore)

        // The plan of the next day estimates from these checkpoints, and calls nothing.
        let plan = try ChainETLProcess.run(
            [
                "plan", pipeline.file.path, "--from", from.description, "--to", today.advanced(by: -1).description,
                "--workdir", pipeline.workdir.path, "--log-format", "json",
            ],
            environment: pipeline.environment.merging(environment) { _, new in new })
        #expect(plan.exitCode == 0, "\(plan.stderr)")
        #expect(server.stats.requests == requestsBefore)
        #expect(plan.stdout.contains("skip \(from) extract  checkpoint matches config and inputs"))
        #expect(plan.stdout.contains("run  \(today.advanced(by: -1)) extract  no checkpoint yet"))
        #expect(plan.stdout.contains("extract on ethereum: ~"))
        #expect(plan.stdout.contains("× 1 partition"))
        #expect(plan.stdout.contains("(2 targets, 7200 blocks/day"))
        let fingerprint = try #require(
            plan.stdout.split(separator: "\n").first { $0.contains("(E2E_SIM_KEY; chains ethereum)") })
        #expect(fingerprint.contains("key-"))
        #expect(fingerprint.contains("of per_day 50000; used today"))
        #expect(
            plan.stdout.split(separator: "\n").last?.hasPrefix("summary: 1 units would run, 3 would skip; ~") == true)

        // The key is nowhere: checkpoints, manifests, run reports, logs, plan output.
        let files = try Self.allText(under: pipeline.workdir)
        #expect(files.contains("\"source\":\"etherscan-logs\""))
        for text in [files, first.stderr, first.stdout, second.stderr, plan.stdout, plan.stderr] {
            #expect(!text.contains(Self.apiKey), "the api key leaked")
        }
    }

    @Test func aMissingKeyVariableFailsTheStageWithAClearLine() throws {
        let server = try Self.startSimulator()
        defer { server.stop() }
        let tokens = Array(SimulatedChain.tokens(chainID: 1).prefix(1))
        let pipeline = try Self.pipeline(server: server, tokens: tokens, keyVariable: "E2E_UNSET_SIM_KEY")
        let day = PartitionDay(containing: Date()).advanced(by: -2)
        let result = try pipeline.run(["--partition", day.description, "--log-format", "text"])
        #expect(result.exitCode == 1)
        let failure = try #require(result.stderrLines.first { $0.hasPrefix("error: stage extract failed") })
        #expect(failure.contains("chain ethereum reads its api key from the environment variable E2E_UNSET_SIM_KEY"))
        #expect(server.stats.requests == 0)
    }
}

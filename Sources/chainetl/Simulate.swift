import ArgumentParser
import ChainETLCore
import ChainETLSimulator
import Foundation
import Logging

extension ChainETL {
    /// `chainetl simulate`: the deterministic explorer simulator (SPEC §9), or its ground truth.
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve an Etherscan V2 / Blockscout-compatible explorer on 127.0.0.1, or print ground truth.",
            discussion: """
                Endpoints: /v2/api?chainid=N&module=…&action=… (Etherscan V2), /blockscout/N/api?… (Blockscout RPC), \
                GET /_sim/stats, POST /_sim/reset-stats. Chains: 1 (12 s blocks), 10 (2 s), 25 (6 s), 100 (5 s), \
                genesis 2026-01-01T00:00:00Z. With --truth, prints SPEC §7 aggregates as JSON and exits.
                """)

        @Option(help: "Port on 127.0.0.1; 0 picks a free port (printed on stdout and written to --port-file).")
        var port: Int = 0

        @Option(help: "Content seed: the same seed serves the same chain, byte for byte.")
        var seed: UInt64 = GeneratorConfiguration.defaultSeed

        @Option(help: "Mean ERC-20 transfers per token per chain per UTC day.")
        var transfersPerDay: Int = GeneratorConfiguration.defaultTransfersPerDay

        @Option(help: "Make every Nth block dense (1,001–1,500 transfers of one token); 0 = off.")
        var denseBlockEvery: Int = 0

        @Option(
            help: ArgumentHelp(
                "Replace a block as a chain reorganisation would (repeatable): new hash and content; :hash keeps the transfers.",
                valueName: "CHAIN:BLOCK[:SALT[:hash]]"))
        var reorg: [String] = []

        @Option(help: "Calls per second per API key (sliding 1 s window), answered as HTTP 200 NOTOK beyond it.")
        var rateLimit: Int?

        @Option(help: "Calls per UTC day per API key.")
        var dailyLimit: Int?

        @Option(help: "Probability (0…1) that an admitted request gets a fault instead of its answer.")
        var faultRate: Double = 0

        @Option(
            name: .customLong("latency-ms"),
            help: "Milliseconds every API answer takes; the rate limit counts the request on arrival.")
        var latencyMilliseconds: Int = 0

        @Option(
            name: .customLong("latency-jitter-ms"),
            help: "Answers take --latency-ms ± this, uniformly (seeded by --seed and arrival order; ≤ --latency-ms).")
        var latencyJitterMilliseconds: Int = 0

        @Option(help: "Fault kinds to draw from: 502,503,429,drop,slow,truncate,timeout.")
        var faults: String = FaultKind.allCases.map(\.rawValue).joined(separator: ",")

        @Option(help: "Require this Etherscan apikey (prefer --api-key-env: arguments are visible to other users).")
        var apiKey: String?

        @Option(help: "Name of an environment variable holding the required Etherscan apikey.")
        var apiKeyEnv: String?

        @Option(
            help:
                "Comma-separated chain ids on the key's plan; other chains answer 'Free API access is not supported…'.")
        var paidChains: String?

        @Option(help: "Pin the simulator clock to this unix time (head and confirmations stop moving).")
        var now: Int?

        @Option(help: "Write the bound port to this file (atomically) once listening.")
        var portFile: String?

        @Flag(help: "Print ground-truth aggregates for --chain and --from/--to as JSON, then exit.")
        var truth = false

        @Option(help: "Chain id for --truth or --list-tokens.")
        var chain: Int?

        @Option(help: "First UTC day (YYYY-MM-DD) for --truth.")
        var from: String?

        @Option(help: "Last UTC day (YYYY-MM-DD) for --truth; defaults to --from.")
        var to: String?

        @Option(help: "Comma-separated token addresses or symbols for --truth (default: all tokens).")
        var tokens: String?

        @Flag(help: "With --truth, also list every transfer with its transfer_id.")
        var ids = false

        @Flag(help: "Print the simulated tokens (of --chain, or of every chain) as JSON, then exit.")
        var listTokens = false

        func run() throws {
            do {
                if listTokens { return try printTokens() }
                if truth { return try printTruth() }
                try serve()
            } catch let error as SimulatorError {
                FileHandle.standardError.write(Data("chainetl simulate: \(error.description)\n".utf8))
                throw ExitCode(2)
            }
        }

        private func generator() throws -> GeneratorConfiguration {
            GeneratorConfiguration(
                seed: seed, transfersPerDay: transfersPerDay, denseBlockEvery: denseBlockEvery, reorgs: try reorgs())
        }

        private func reorgs() throws -> [SimulatedReorg] {
            try reorg.map { text throws(SimulatorError) in try SimulatedReorg(parsing: text) }
        }

        private func printTokens() throws {
            let chains =
                try chain.map { id in
                    guard let found = SimulatedChain.chain(id: id) else { throw SimulatorError.unsupportedChain(id) }
                    return [found]
                } ?? SimulatedChain.all
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            FileHandle.standardOutput.write(try encoder.encode(chains.flatMap(\.tokens)) + Data("\n".utf8))
        }

        private func printTruth() throws {
            guard let chain else { throw SimulatorError.invalidOption("--chain", "is required with --truth") }
            guard let fromText = from, let first = PartitionDay(fromText) else {
                throw SimulatorError.invalidOption("--from", "is required with --truth, as YYYY-MM-DD")
            }
            guard let last = to.map({ PartitionDay($0) }) ?? first else {
                throw SimulatorError.invalidOption("--to", "must be YYYY-MM-DD")
            }
            let tokenList = tokens.map { $0.split(separator: ",").map(String.init) }
            let report = try GroundTruth.compute(
                seed: seed, chainID: chain, tokens: tokenList, from: first, to: last, transfersPerDay: transfersPerDay,
                denseBlockEvery: denseBlockEvery, includeTransfers: ids, reorgs: try reorgs())
            FileHandle.standardOutput.write(try report.jsonData() + Data("\n".utf8))
        }

        private func serve() throws {
            let key = try SimulatorConfiguration.apiKey(
                apiKey, variable: apiKeyEnv, environment: ProcessInfo.processInfo.environment)
            let paid = try SimulatorConfiguration.paidChainIDs(parsing: paidChains)
            let configuration = SimulatorConfiguration(
                port: port, generator: try generator(), apiKey: key, paidChainIDs: paid, ratePerSecond: rateLimit,
                dailyLimit: dailyLimit, faultRate: faultRate, faultKinds: try FaultKind.parseList(faults),
                fixedNow: now,
                latencyMilliseconds: latencyMilliseconds, latencyJitterMilliseconds: latencyJitterMilliseconds)
            let logger = Logger(label: "chainetl.simulate") { StreamLogHandler.standardError(label: $0) }
            try SimulatorServer(configuration: configuration, logger: logger).serveUntilSignalled(portFile: portFile)
        }
    }
}

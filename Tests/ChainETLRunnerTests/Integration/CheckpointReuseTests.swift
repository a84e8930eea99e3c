import ChainETLCore
import ChainETLExplorers
import ChainETLSimulator
import Foundation
import Logging
import Testing

@testable import ChainETLRunner

#if canImport(Glibc)
    import Glibc
#endif

/// What `make demo` does twice on one day: the simulator listens on a new port and the key is a
/// new random value, yet the second run reruns no extract and `plan` predicts no explorer call.
@Suite("Checkpoints reused across simulator ports")
struct CheckpointReuseTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    let days = PartitionRequest.range(from: PartitionDay("2026-11-10")!, to: PartitionDay("2026-11-11")!)

    func simulator() throws -> SimulatorServer {
        let server = try SimulatorServer(
            configuration: SimulatorConfiguration(
                generator: GeneratorConfiguration(seed: 5, transfersPerDay: 200), fixedNow: 1_795_000_000),
            logger: Logger(label: "chainetl.tests.simulator") { _ in SwiftLogNoOpLogHandler() })
        try server.start()
        return server
    }

    @Test func aSecondRunOnANewPortAndKeyRerunsNoExtract() throws {
        let tokens = SimulatedChain.tokens(chainID: 1).filter(\.isERC20).prefix(2)
        // Variables of its own: other tests run beside this one in the same process.
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36).uppercased()
        let variable = "CHAINETL_REUSE_KEY_" + suffix
        let urlVariable = "CHAINETL_REUSE_URL_" + suffix
        defer {
            unsetenv(variable)
            unsetenv(urlVariable)
        }
        let fixture = try RunnerFixture(
            """
            chains:
              ethereum:
                chain_id: 1
                explorer: etherscan
                base_url: ${\(urlVariable)}/v2/api
                api_key_env: \(variable)
                rate_limit: { per_second: 40 }
                confirmations: 12
                tokens:
            \(tokens.map { "      - { address: \"\($0.address)\" }" }.joined(separator: "\n"))
            stages:
              - id: extract
                uses: extract/etherscan-logs
              - id: normalize
                uses: normalize/transfers
                needs: [extract]
            """)

        let first = try simulator()
        let environment1 = [urlVariable: first.baseURL, variable: "key-one"]
        for (name, value) in environment1 { setenv(name, value, 1) }
        let run1 = try fixture.run(partitions: days, environment: environment1, now: now)
        first.stop()
        try #require(run1.result.exitCode == 0, "\(run1.stderr)")
        #expect(run1.result.report?.units.filter { $0.status == .succeeded }.count == 4)

        let second = try simulator()
        defer { second.stop() }
        #expect(second.baseURL != first.baseURL)
        let environment = [urlVariable: second.baseURL, variable: "key-two"]
        for (name, value) in environment { setenv(name, value, 1) }
        let run2 = try fixture.run(partitions: days, environment: environment, now: now)
        try #require(run2.result.exitCode == 0, "\(run2.stderr)")
        let units = try #require(run2.result.report?.units)
        #expect(units.count == 4)
        for unit in units {
            #expect(unit.status == .skipped, "\(unit.stage)@\(unit.partition): \(unit.reason)")
        }
        #expect(second.stats.requests == 0)

        // `plan` agrees: nothing would run, so no explorer call.
        let output = TerminalOutput(handle: FileHandle.nullDevice, drawsProgress: false)
        let console = RunConsole(output: output, format: .json, standardOutput: { _ in })
        let plan = PipelinePlanner(
            request: PlanRequest(pipelineFile: fixture.pipelineFile, partitions: days, workdir: fixture.workdir),
            environment: environment, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            console: console, now: now
        ).run()
        #expect(plan.exitCode == 0)
        let summary = try #require(plan.lines.last { $0.hasPrefix("summary:") })
        #expect(summary.hasPrefix("summary: 0 units would run, 4 would skip"), "\(plan.lines)")
        #expect(!summary.contains("~") || summary.contains("~0 explorer calls"), "\(summary)")
        #expect(second.stats.requests == 0)
    }
}

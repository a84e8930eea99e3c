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

/// A two-day extract run against the in-process simulator: the report's per-key figures agree
/// with what the simulator counted, name the key by its fingerprint only, and reach the summary.
@Suite("Per-key calls in the run report")
struct RunKeyUsageTests {
    @Test func theReportCountsEveryCallOfTheKeyAndNamesItByFingerprint() throws {
        let server = try SimulatorServer(
            configuration: SimulatorConfiguration(
                generator: GeneratorConfiguration(seed: 5, transfersPerDay: 300), fixedNow: 1_795_000_000),
            logger: Logger(label: "chainetl.tests.simulator") { _ in SwiftLogNoOpLogHandler() })
        try server.start()
        defer { server.stop() }
        // A key of its own: the token bucket is process-wide, and other tests run beside this one.
        let variable = "CHAINETL_TEST_KEY_" + String(UInt64.random(in: 0...UInt64.max), radix: 36).uppercased()
        let key = "secret-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        setenv(variable, key, 1)
        defer { unsetenv(variable) }
        let tokens = SimulatedChain.tokens(chainID: 1).filter(\.isERC20).prefix(2)
        let fixture = try RunnerFixture(
            """
            chains:
              ethereum:
                chain_id: 1
                explorer: etherscan
                base_url: \(server.baseURL)/v2/api
                api_key_env: \(variable)
                rate_limit: { per_second: 40 }
                confirmations: 12
                tokens:
            \(tokens.map { "      - { address: \"\($0.address)\" }" }.joined(separator: "\n"))
            stages:
              - id: extract
                uses: extract/etherscan-logs
            """)
        let run = try fixture.run(
            partitions: .range(from: PartitionDay("2026-11-10")!, to: PartitionDay("2026-11-11")!),
            now: Date(timeIntervalSince1970: 1_795_000_000))
        try #require(run.result.exitCode == 0, "\(run.stderr)")
        let report = try #require(run.result.report)
        let usage = try #require(report.apiKeys?.first)
        #expect(report.apiKeys?.count == 1)
        #expect(usage.fingerprint == APIKeyFingerprint(apiKey: key).value)
        #expect(usage.calls == server.stats.requests)
        #expect(usage.calls > 4)
        #expect(usage.configuredRatePerSecond == 40)
        #expect(usage.throttles == 0)
        #expect(usage.achievedRatePerSecond != nil)
        #expect(report.extractCalls?.calls == usage.calls)
        #expect(run.result.summary.contains("\(usage.fingerprint) \(usage.calls) calls at "))
        #expect(!run.result.summary.contains(key))
        #expect(!run.stderr.contains(key))
        let json = try String(contentsOf: try #require(run.result.reportURL), encoding: .utf8)
        #expect(json.contains("\"api_keys\""))
        #expect(!json.contains(key))
    }
}

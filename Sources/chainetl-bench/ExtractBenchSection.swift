import ChainETLCore
import ChainETLExplorers
import ChainETLRunner
import ChainETLSimulator
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A 3-day extract-only backfill, through the real runner in-process, against the in-process
/// simulator at 0, 200 and 600 ms answer latency with a 5 calls/s key (issue 15's measurement).
///
/// Per latency: calls/s ÷ the limit over the span of the requests (first arrival to last, counted
/// at the simulator, where the key's limit is enforced), the throttled share, calls ÷ the lower
/// bound (from the manifests' `calls.lower_bound`, n/a while no stage reports it), and the run's
/// wall time against the ideal of calls ÷ limit. Needs PostgreSQL (ledger, locks, quota), as
/// `make bench` provides. Each latency uses its own key, so no bucket carries over.
struct ExtractBenchSection: BenchSection {
    let name = "extract"
    static let latencies = [0, 200, 600]
    static let perSecond = 5
    static let firstDay = PartitionDay("2026-11-18")!
    static let days = 3

    func run(_ context: BenchContext) throws -> [BenchMeasure] {
        let directory = context.scratch.appendingPathComponent("extract", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let schemas = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("schemas", isDirectory: true)
        guard FileManager.default.fileExists(atPath: schemas.path) else {
            throw BenchError.mismatch("the extract section runs from the repository root (no schemas/ here)")
        }
        var measures: [BenchMeasure] = [
            BenchMeasure(
                measure: "extract setup",
                value: "\(Self.days) days × 2 chains, getLogs, \(Self.perSecond)/s key, jobs 2, extract lane "
                    + "\(RunRequest.defaultExtractJobs)")
        ]
        for latency in Self.latencies {
            measures += try measure(latency: latency, directory: directory, schemas: schemas)
        }
        return measures
    }

    private func measure(latency: Int, directory: URL, schemas: URL) throws -> [BenchMeasure] {
        let keyVariable = "CHAINETL_BENCH_EXPLORER_KEY"
        let key = "bench-\(latency)-\(UInt32.random(in: 0...UInt32.max))"
        setenv(keyVariable, key, 1)
        defer { unsetenv(keyVariable) }
        let quiet = Logger(label: "chainetl.bench.extract") { _ in SwiftLogNoOpLogHandler() }
        let server = try SimulatorServer(
            configuration: SimulatorConfiguration(
                generator: GeneratorConfiguration(seed: 11), apiKey: key, ratePerSecond: Self.perSecond,
                latencyMilliseconds: latency),
            logger: quiet)
        try server.start()
        defer { server.stop() }

        let workdir = directory.appendingPathComponent("latency-\(latency)", isDirectory: true)
        try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
        let pipelineFile = workdir.appendingPathComponent("extract-bench.yaml")
        try Data(Self.pipeline(baseURL: server.baseURL, keyVariable: keyVariable).utf8).write(to: pipelineFile)

        let lastDay = Self.firstDay.advanced(by: Self.days - 1)
        let request = RunRequest(
            pipelineFile: pipelineFile, partitions: .range(from: Self.firstDay, to: lastDay), jobs: 2,
            databaseURL: ProcessInfo.processInfo.environment["DATABASE_URL"], workdir: workdir,
            arguments: ["chainetl-bench", "extract"])
        var environment = ProcessInfo.processInfo.environment
        environment["CHAINETL_SCHEMAS"] = schemas.path
        let console = RunConsole(
            output: TerminalOutput(handle: FileHandle.nullDevice, drawsProgress: false), format: .text,
            standardOutput: { _ in })
        let started = ContinuousClock.now
        let result = PipelineRunner(request: request, environment: environment, logger: quiet, console: console).run()
        let wall = ContinuousClock.now - started
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        guard result.status == .succeeded else {
            throw BenchError.mismatch(
                "the \(latency) ms extract run ended \(result.status.rawValue): \(result.summary)")
        }

        let stats = server.stats
        let limit = Double(Self.perSecond)
        let span = stats.requestSpanSeconds
        let share = span > 0 ? Double(stats.requests) / span / limit : .nan
        let throttled = stats.requests > 0 ? Double(stats.throttled) / Double(stats.requests) * 100 : 0
        let ideal = Double(stats.requests) / limit
        let label = "extract \(latency) ms"
        var rows: [BenchMeasure] = [
            BenchMeasure(
                measure: "\(label) calls", value: "\(stats.requests) over \(BenchFormat.number(span)) s"),
            .rate("\(label) calls/s ÷ limit", share, baseline: 0.90, label: "issue 15 target"),
            .rate("\(label) throttled %", throttled, baseline: 1, label: "issue 15 max"),
        ]
        if let ratio = result.report?.extractCalls?.ratioToLowerBound {
            rows.append(.rate("\(label) calls ÷ lower bound", ratio, baseline: 1.10, label: "issue 15 max"))
        } else {
            rows.append(
                BenchMeasure(measure: "\(label) calls ÷ lower bound", value: "n/a", baseline: "no calls.lower_bound"))
        }
        rows.append(.rate("\(label) wall s", wallSeconds, baseline: ideal, label: "calls ÷ rate"))
        return rows
    }

    /// Two chains on one key, as the nightly pipeline: getLogs for a few tokens per chain.
    static func pipeline(baseURL: String, keyVariable: String) -> String {
        func tokens(_ chainID: Int, _ count: Int) -> String {
            SimulatedChain.tokens(chainID: chainID).filter(\.isERC20).prefix(count).map {
                "      - { address: \"\($0.address)\" }"
            }.joined(separator: "\n")
        }
        return """
            version: 1
            name: extract_bench
            chains:
              ethereum:
                chain_id: 1
                explorer: etherscan
                base_url: \(baseURL)/v2/api
                api_key_env: \(keyVariable)
                rate_limit: { per_second: \(perSecond), per_day: 1000000 }
                confirmations: 12
                tokens:
            \(tokens(1, 3))
              cronos:
                chain_id: 25
                explorer: etherscan
                base_url: \(baseURL)/v2/api
                api_key_env: \(keyVariable)
                rate_limit: { per_second: \(perSecond), per_day: 1000000 }
                confirmations: 2
                tokens:
            \(tokens(25, 2))
            stages:
              - id: extract
                uses: extract/etherscan-logs

            """
    }
}

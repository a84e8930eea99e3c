import ChainETLCore
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Issue 17 item 5 (`make scale-test`; the suite runs a smaller range): N `--claim` runners on one
/// key (8/s per runner: the shared per-key budget of item 2 is not built), one database and one
/// checkpoint root, over a two-chain backfill; one runner is killed with SIGKILL midway and a late
/// runner joins. The store equals the simulator's ground truth, every (stage, partition) succeeded
/// exactly once, every claim is done by a live runner. Prints the calls, the explorer's span and
/// the per-runner claims. Runs on loopback (no network namespaces; docs/scaling.md).
///
///   CHAINETL_SCALE_DAYS (default 3; `make scale-test` 14), CHAINETL_SCALE_WORKERS (default 3),
///   CHAINETL_SCALE_COMPARE=1 also times one runner alone over the same range, for the report.
@Suite("Scale: N claiming runners, one key, a kill and a late joiner (binary, simulator, Postgres)")
struct ScaleTests {
    @Test func runnersKilledAndJoiningFinishTheBackfillExactly() throws {
        let environment = ProcessInfo.processInfo.environment
        let days = Int(environment["CHAINETL_SCALE_DAYS"] ?? "") ?? 3
        let count = Int(environment["CHAINETL_SCALE_WORKERS"] ?? "") ?? 3
        let rate = 8  // gt_shared_key.yaml's per_second, per runner
        let first = try #require(PartitionDay("2026-11-01"))
        let from = first.description
        let to = PartitionDay(daysSinceEpoch: first.daysSinceEpoch + days - 1).description

        let simulator = try E2ESimulator(seed: 19, transfersPerDay: 1_000)
        defer { simulator.stop() }
        let database = try E2EDatabase()
        defer { database.drop() }
        let pipeline = try FixturePipeline("gt_shared_key", database: database, simulator: simulator)
        defer { pipeline.remove() }
        let arguments = ["--from", from, "--to", to, "--claim", "--lease-seconds", "3", "--log-format", "json"]

        let started = Date()
        var workers = try (0..<count).map { _ in try pipeline.start(arguments) }
        var victim: (index: Int, partition: String)?
        _ = ChainETLProcess.waitUntil(seconds: 600) {
            victim = ClaimWorkersTests.extractingHolder(workers, database)
            return victim != nil || workers.allSatisfy { !$0.process.isRunning }
        }
        let killed = try #require(victim, "no runner was seen extracting a partition it holds").index
        let killedPID = Int(workers[killed].process.processIdentifier)
        kill(workers[killed].process.processIdentifier, SIGKILL)
        pipeline.keep(try workers[killed].wait())
        // A runner started late joins the same range.
        let late = try pipeline.start(arguments)
        workers.append(late)
        var outputs: [Int: ChainETLProcess.Output] = [:]
        for (index, worker) in workers.enumerated() where index != killed {
            let output = try worker.wait()
            pipeline.keep(output)
            outputs[index] = output
            #expect(output.exitCode == 0, "runner \(index): \(output.stderr.suffix(3000))")
        }
        let seconds = Date().timeIntervalSince(started)

        let claims = try database.strings(
            "SELECT partition || '|' || state || '|' || holder_pid || '|' || attempts FROM etl_claims ORDER BY 1")
        #expect(claims.count == days)
        for claim in claims {
            let fields = claim.split(separator: "|")
            #expect(fields[1] == "done" && Int(fields[2]) != killedPID, "\(claim)")
        }
        let counts = try database.strings(
            """
            SELECT stage || '@' || partition || '=' || count(*) FILTER (WHERE status = 'succeeded')
            FROM etl_stage_runs GROUP BY stage, partition ORDER BY 1
            """)
        #expect(counts.count == 4 * days && counts.allSatisfy { $0.hasSuffix("=1") }, "\(counts)")
        let truthIDs = try GroundTruthTransfersTests.chains.flatMap {
            try #require(try simulator.truth(chainID: $0, from: from, to: to, includeTransfers: true).transfers)
                .map(\.transferID)
        }
        let snapshot = try TransferSnapshot(database)
        #expect(snapshot.duplicateIDs == 0)
        expectSameRows(snapshot.ids, truthIDs, "scale backfill vs ground truth ids")

        let stats = simulator.server.stats
        let achieved = Double(stats.requests) / max(stats.requestSpanSeconds, 0.001)
        let claimsPerRunner = workers.indices.filter { $0 != killed }.map {
            outputs[$0].map { Self.claimCount($0.stderr) } ?? 0
        }
        var line =
            "scale-test: \(days) days, \(count) runners + 1 late, 1 killed, claims per live runner \(claimsPerRunner), "
            + String(format: "%.1f s; ", seconds)
            + "\(stats.requests) calls, \(stats.throttled) throttled, "
            + String(format: "%.2f calls/s over the explorer's span (%d/s per runner)", achieved, rate)
        if environment["CHAINETL_SCALE_COMPARE"] == "1" {
            let alone = try Self.oneRunnerAlone(from: from, to: to)
            line += String(format: "; one runner alone: %.1f s, %.2f/s", alone.seconds, alone.rate)
        }
        print(line)
    }

    /// How many partitions a runner's log says it claimed.
    static func claimCount(_ stderr: String) -> Int {
        stderr.split(separator: "\n").filter { $0.contains("\"msg\":\"partition claimed") }.count
    }

    /// The same range with one runner on a fresh simulator, database and workdir: seconds and calls/s.
    static func oneRunnerAlone(from: String, to: String) throws -> (seconds: Double, rate: Double) {
        let simulator = try E2ESimulator(seed: 19, transfersPerDay: 1_000)
        defer { simulator.stop() }
        let database = try E2EDatabase()
        defer { database.drop() }
        let pipeline = try FixturePipeline("gt_shared_key", database: database, simulator: simulator)
        defer { pipeline.remove() }
        let started = Date()
        let output = try pipeline.run(["--from", from, "--to", to, "--claim", "--log-format", "json"])
        #expect(output.exitCode == 0, "\(output.stderr.suffix(2000))")
        let stats = simulator.server.stats
        return (Date().timeIntervalSince(started), Double(stats.requests) / max(stats.requestSpanSeconds, 0.001))
    }
}

import ChainETLCore
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Issue 17 items 2 and 5 (`make scale-test`; the suite runs a smaller range): N `--claim` runners
/// on one key, one database and one checkpoint root, over a two-chain backfill; one runner is killed
/// with SIGKILL midway and a late runner joins. The simulator allows the key 8 calls/s (the
/// pipeline's `per_second`, shared by all runners through `etl_rate_budget`) and answers in
/// 150 ± 50 ms. The store equals the simulator's ground truth, every (stage, partition) succeeded
/// exactly once, every claim is done by a live runner, no answer was throttled and no sliding
/// second of the simulator's arrivals holds more than 8 calls (exactly so with
/// CHAINETL_SCALE_STRICT=1, as `make scale-test` runs; within a margin in the suite). Prints the combined rate, the
/// busiest second, the Postgres round trips per API call and per partition, and each runner's
/// throughput. Runs on loopback (no network namespaces; docs/scaling.md).
///
///   CHAINETL_SCALE_DAYS (default 3; `make scale-test` 14), CHAINETL_SCALE_WORKERS (default 3),
///   CHAINETL_SCALE_TRANSFERS (transfers per token and day, default 1000; more makes the key the bottleneck),
///   CHAINETL_SCALE_COMPARE=1 also times one runner alone over the same range, for the report.
@Suite("Scale: N claiming runners, one key, a kill and a late joiner (binary, simulator, Postgres)")
struct ScaleTests {
    @Test func runnersKilledAndJoiningFinishTheBackfillExactly() throws {
        let environment = ProcessInfo.processInfo.environment
        let days = Int(environment["CHAINETL_SCALE_DAYS"] ?? "") ?? 3
        let count = Int(environment["CHAINETL_SCALE_WORKERS"] ?? "") ?? 3
        let rate = 8  // gt_shared_key.yaml's per_second, shared by every runner
        let first = try #require(PartitionDay("2026-11-01"))
        let from = first.description
        let to = PartitionDay(daysSinceEpoch: first.daysSinceEpoch + days - 1).description

        let simulator = try Self.simulator(rate: rate)
        defer { simulator.stop() }
        let database = try E2EDatabase()
        defer { database.drop() }
        let pipeline = try FixturePipeline("gt_shared_key", database: database, simulator: simulator)
        defer { pipeline.remove() }
        let arguments = ["--from", from, "--to", to, "--claim", "--lease-seconds", "3", "--log-format", "json"]
        let transfers = simulator.transfersPerDay

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

        // One key budget for all runners: never above the key's limit in any sliding second.
        let stats = simulator.server.stats
        // Exact (0 throttled, busiest second ≤ the limit) with CHAINETL_SCALE_STRICT=1, as
        // `make scale-test` runs it; in the suite, on a possibly loaded machine where scheduling
        // delays can bunch one late call up with the next, a margin that runners pacing alone
        // (N× the limit) could never meet.
        if ProcessInfo.processInfo.environment["CHAINETL_SCALE_STRICT"] == "1" {
            #expect(stats.throttled == 0, "\(stats.json)")
            #expect(stats.peakRequestsPerSecond <= rate, "\(stats.json)")
        } else {
            #expect(stats.throttled * 20 <= stats.requests, "\(stats.json)")
            #expect(stats.peakRequestsPerSecond <= rate + 1, "\(stats.json)")
        }
        // One budget row, named by the key's fingerprint, never the key.
        let budgetRows = try database.strings("SELECT key_fingerprint FROM etl_rate_budget")
        #expect(budgetRows.count == 1 && budgetRows.allSatisfy { $0.hasPrefix("key-") }, "\(budgetRows)")
        #expect(!(try SecretScan.dump(databaseURL: database.url)).contains(simulator.apiKey))

        let achieved = Double(stats.requests) / max(stats.requestSpanSeconds, 0.001)
        let claimsPerRunner = workers.indices.filter { $0 != killed }.map {
            outputs[$0].map { Self.claimCount($0.stderr) } ?? 0
        }
        let trips = try Self.roundTrips(database)
        var line =
            "scale-test: \(days) days (\(transfers) transfers per token and day), \(count) runners + 1 late, 1 killed, "
            + "claims per live runner \(claimsPerRunner), "
            + String(format: "%.1f s; ", seconds)
            + "\(stats.requests) calls, \(stats.throttled) throttled, busiest second \(stats.peakRequestsPerSecond) calls, "
            + String(
                format: "%.2f calls/s combined over the explorer's span = %.2f of the %d/s key; ",
                achieved, achieved / Double(rate), rate)
            + String(
                format: "Postgres round trips: %.2f per API call for the rate budget (%d leases/releases), "
                    + "%.2f with the daily quota, %.1f per partition with claims and heartbeats; ",
                Double(trips.budget) / Double(max(stats.requests, 1)), trips.budget,
                Double(trips.budget + trips.quota) / Double(max(stats.requests, 1)),
                Double(trips.budget + trips.quota + trips.claims) / Double(days))
            + "per runner (pid: partitions, extracted rows/s over the backfill): "
            + (try Self.perRunner(database, seconds: seconds)).joined(separator: ", ")
        if environment["CHAINETL_SCALE_COMPARE"] == "1" {
            let alone = try Self.oneRunnerAlone(from: from, to: to, rate: rate)
            line += String(
                format: "; one runner alone: %.1f s, %.2f/s = %.2f of the key",
                alone.seconds, alone.rate, alone.rate / Double(rate))
        }
        print(line)
    }

    /// The simulator every scale run uses: the key's limit enforced, realistic-ish answer times.
    static func simulator(rate: Int) throws -> E2ESimulator {
        try E2ESimulator(
            seed: 19, transfersPerDay: Int(ProcessInfo.processInfo.environment["CHAINETL_SCALE_TRANSFERS"] ?? "") ?? 1_000,
            ratePerSecond: rate, latencyMilliseconds: 150,
            latencyJitterMilliseconds: 50)
    }

    /// Rows written by the coordination statements, from Postgres's own counters once every runner's
    /// backend has gone (each statement writes one row: a lease or release of the key's budget row,
    /// a daily-quota upsert, a claim, heartbeat or finish).
    static func roundTrips(_ database: E2EDatabase) throws -> (budget: Int, quota: Int, claims: Int) {
        _ = ChainETLProcess.waitUntil(seconds: 30) {
            (try? database.scalar(
                "SELECT count(*)::text FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )) == "0"
        }
        func written(_ table: String) throws -> Int {
            Int(
                try database.scalar(
                    "SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0)::text FROM pg_stat_user_tables WHERE relname = $1",
                    [table])) ?? 0
        }
        return (try written("etl_rate_budget"), try written("etl_api_quota"), try written("etl_claims"))
    }

    /// Each runner that finished partitions: its pid, partitions, and extracted rows per second of the backfill.
    static func perRunner(_ database: E2EDatabase, seconds: Double) throws -> [String] {
        try database.strings(
            """
            SELECT c.holder_pid || ' ' || count(*) || ' ' || coalesce(sum(s.rows_out), 0)
            FROM etl_claims c JOIN etl_stage_runs s ON s.run_id = c.run_id AND s.stage = 'extract' AND s.status = 'succeeded'
            WHERE c.state = 'done' GROUP BY c.holder_pid ORDER BY 1
            """
        ).map { line in
            let fields = line.split(separator: " ")
            let rows = Double(fields.count == 3 ? Int(fields[2]) ?? 0 : 0)
            return "\(fields.first ?? "?"): \(fields.count > 1 ? fields[1] : "?") partitions, "
                + String(format: "%.0f rows/s", rows / max(seconds, 0.001))
        }
    }

    /// How many partitions a runner's log says it claimed.
    static func claimCount(_ stderr: String) -> Int {
        stderr.split(separator: "\n").filter { $0.contains("\"msg\":\"partition claimed") }.count
    }

    /// The same range with one runner on a fresh simulator, database and workdir: seconds and calls/s.
    static func oneRunnerAlone(from: String, to: String, rate: Int) throws -> (seconds: Double, rate: Double) {
        let simulator = try Self.simulator(rate: rate)
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

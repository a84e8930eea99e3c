import ChainETLCore
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Issue 17 item 1: three `chainetl run --claim` processes (the real binary) share one backfill
/// through one database and one checkpoint root; one is killed with SIGKILL while it extracts, a
/// survivor takes its partition over once the lease expires, and the store equals the simulator's
/// ground truth exactly, every unit succeeded once, every claim done by a live runner.
@Suite("Claim workers: several runners, one backfill (binary, simulator, Postgres)")
struct ClaimWorkersTests {
    static let from = "2026-10-30"
    static let to = "2026-11-03"
    /// Short, so the takeover happens soon; the test waits on conditions, never on this.
    static let lease = "2"

    @Test func threeRunnersOneKilledFinishTheRangeExactlyOnce() throws {
        // The key's 8/s, shared by the runners, makes every extract last seconds: the kill lands inside one.
        let simulator = try E2ESimulator(seed: 17, transfersPerDay: 1_500)
        defer { simulator.stop() }
        let database = try E2EDatabase()
        defer { database.drop() }
        let pipeline = try FixturePipeline("gt_shared_key", database: database, simulator: simulator)
        defer { pipeline.remove() }
        let arguments = [
            "--from", Self.from, "--to", Self.to, "--claim", "--lease-seconds", Self.lease, "--log-format", "json",
        ]

        let workers = try (0..<3).map { _ in try pipeline.start(arguments) }
        // The victim: a worker that holds a claim and is extracting that partition.
        var victim: (index: Int, partition: String)?
        _ = ChainETLProcess.waitUntil(seconds: 300) {
            victim = Self.extractingHolder(workers, database)
            return victim != nil || workers.allSatisfy { !$0.process.isRunning }
        }
        let killed = try #require(victim, "no worker was seen extracting a partition it holds")
        let killedPID = Int(workers[killed.index].process.processIdentifier)
        kill(workers[killed.index].process.processIdentifier, SIGKILL)
        let killedOutput = try workers[killed.index].wait()
        pipeline.keep(killedOutput)
        #expect(workers[killed.index].process.terminationReason == .uncaughtSignal)

        // The kill landed inside the partition: its claim is still the killed worker's (until taken over).
        let heldByVictim = try database.strings(
            "SELECT state || '|' || holder_pid FROM etl_claims WHERE partition = $1::date", [killed.partition])
        let attemptsNow = try database.scalar(
            "SELECT attempts::text FROM etl_claims WHERE partition = $1::date", [killed.partition])
        #expect(heldByVictim == ["claimed|\(killedPID)"] || attemptsNow == "2", "\(heldByVictim) \(attemptsNow)")
        // `status` names the holder of each claim (the killed one's until it is taken over).
        let during = try ChainETLProcess.run(
            ["status", "gt_shared_key", "--offline", "--json"], environment: pipeline.environment)
        #expect(during.exitCode == 0, "\(during.stderr.suffix(2000))")
        let duringClaims = try Self.claims(during.stdout)
        #expect(duringClaims.count == 5)
        #expect(duringClaims.allSatisfy { ($0["state"] as? String) != "claimed" || $0["pid"] is Int })

        var survivors: [ChainETLProcess.Output] = []
        for (index, worker) in workers.enumerated() where index != killed.index {
            let output = try worker.wait()
            pipeline.keep(output)
            survivors.append(output)
            #expect(output.exitCode == 0, "worker \(index): \(output.stderr.suffix(3000))")
        }
        #expect(
            survivors.contains { $0.stderr.contains("took over an expired lease") },
            "no survivor took the killed worker's partition over")

        // Every claim is done, by a live runner; the killed one's partition needed a second claim.
        let after = try ChainETLProcess.run(
            ["status", "gt_shared_key", "--offline", "--json"], environment: pipeline.environment)
        let claims = try Self.claims(after.stdout)
        #expect(claims.count == 5)
        for claim in claims {
            #expect(claim["state"] as? String == "done", "\(claim)")
            #expect(claim["pid"] as? Int != killedPID, "\(claim)")
            #expect((claim["run_id"] as? String)?.isEmpty == false, "\(claim)")
            #expect(claim["host"] as? String == ProcessInfo.processInfo.hostName)
        }
        let taken = try #require(claims.first { $0["partition"] as? String == killed.partition })
        #expect((taken["attempts"] as? Int ?? 0) >= 2, "\(taken)")
        let text = try ChainETLProcess.run(["status", "gt_shared_key", "--offline"], environment: pipeline.environment)
        #expect(text.stdout.contains("Claims (--claim backfills)"), "\(text.stdout)")

        // Each unit succeeded exactly once across all runners (the killed run's are interrupted).
        let counts = try database.strings(
            """
            SELECT stage || '@' || partition || '=' || count(*) FILTER (WHERE status = 'succeeded')
            FROM etl_stage_runs GROUP BY stage, partition ORDER BY 1
            """)
        #expect(counts.count == 4 * 5, "\(counts)")
        #expect(counts.allSatisfy { $0.hasSuffix("=1") }, "\(counts)")
        // The finishing run of each partition is the run its claim names.
        let finishers = try database.strings(
            """
            SELECT c.partition || ':' || (c.run_id = r.id)::text FROM etl_claims c JOIN etl_runs r ON r.id = c.run_id
            WHERE r.status = 'succeeded' ORDER BY 1
            """)
        #expect(finishers.count == 5 && finishers.allSatisfy { $0.hasSuffix(":true") }, "\(finishers)")

        // The store equals the ground truth, without duplicates.
        let snapshot = try TransferSnapshot(database)
        #expect(snapshot.duplicateIDs == 0)
        let truthIDs = try GroundTruthTransfersTests.chains.flatMap {
            try #require(
                try simulator.truth(chainID: $0, from: Self.from, to: Self.to, includeTransfers: true).transfers
            ).map(\.transferID)
        }
        expectSameRows(snapshot.ids, truthIDs, "claimed backfill vs ground truth ids")
        try CrashSafetyTests.expectEveryCheckpointVerifies(pipeline)
        #expect(try SecretScan.files(under: pipeline.workdir, containing: simulator.apiKey) == [])
        for output in pipeline.outputs {
            #expect(!output.stderr.contains(simulator.apiKey) && !output.stdout.contains(simulator.apiKey))
        }
    }

    /// A running worker that holds a claim in `etl_claims` and whose log shows it extracting that
    /// partition: killing it lands in the middle of the partition.
    static func extractingHolder(_ workers: [ChainETLProcess], _ database: E2EDatabase) -> (
        index: Int, partition: String
    )? {
        guard
            let held = try? database.strings(
                "SELECT partition || '|' || holder_pid FROM etl_claims WHERE state = 'claimed'")
        else { return nil }
        for entry in held {
            let fields = entry.split(separator: "|").map(String.init)
            guard fields.count == 2, let pid = Int32(fields[1]),
                let index = workers.firstIndex(where: { $0.process.processIdentifier == pid && $0.process.isRunning }),
                extracting(workers[index].stderrSoFar) == fields[0]
            else { continue }
            return (index, fields[0])
        }
        return nil
    }

    /// The partition of the last `stage started` line of the extract stage, if any.
    static func extracting(_ stderr: String) -> String? {
        var partition: String?
        for line in stderr.split(separator: "\n") where line.contains("stage started") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["msg"] as? String == "stage started", object["stage.id"] as? String == "extract"
            else { continue }
            partition = object["partition"] as? String
        }
        return partition
    }

    static func claims(_ json: String) throws -> [[String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return try #require(object["claims"] as? [[String: Any]], "no claims in status: \(json.prefix(2000))")
    }
}

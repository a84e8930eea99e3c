import ChainETLCore
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Issue 4's crash check: `kill -9` of `chainetl run` at seeded random moments inside extract,
/// normalize and load of a multi-day run; after each kill every finished checkpoint verifies, a
/// plain rerun exits 0, and the database equals a clean run's (per-partition counts and sums, the
/// set of transfer ids, every column but `loaded_at`), with no duplicate ids.
///
/// The suite kills 3 times; `make crash-test` sets `CHAINETL_CRASH_KILLS=20`. `CHAINETL_CRASH_SEED`
/// replays a schedule (it is printed).
@Suite("Crash safety: kill -9 and rerun (binary, simulator, Postgres)")
struct CrashSafetyTests {
    static let from = "2026-10-31"  // crosses a month boundary
    static let to = "2026-11-02"
    static let stages = ["extract", "normalize", "load"]

    @Test func killedAtRandomMomentsEveryRerunConvergesToTheCleanRun() throws {
        let environment = ProcessInfo.processInfo.environment
        let kills = Int(environment["CHAINETL_CRASH_KILLS"] ?? "") ?? 3
        let seed = UInt64(environment["CHAINETL_CRASH_SEED"] ?? "") ?? 20_261_122
        var random = SeededRandom(seed: seed)
        let days = try GroundTruthTransfersTests.days(from: Self.from, to: Self.to)
        let range = ["--from", Self.from, "--to", Self.to, "--jobs", "2", "--log-format", "json"]
        let started = Date()

        let simulator = try E2ESimulator(seed: 9, transfersPerDay: 1_000, faultRate: 0.05, ratePerSecond: 200)
        defer { simulator.stop() }

        // The reference: a clean run in a database and workdir of its own.
        let cleanDatabase = try E2EDatabase()
        defer { cleanDatabase.drop() }
        let clean = try FixturePipeline("gt_transfers", database: cleanDatabase, simulator: simulator)
        defer { clean.remove() }
        let cleanRun = try clean.run(range)
        #expect(cleanRun.exitCode == 0, "\(cleanRun.stderr.suffix(3000))")
        let cleanSeconds = Date().timeIntervalSince(started)
        let reference = try TransferSnapshot(cleanDatabase)
        let truthIDs = try GroundTruthTransfersTests.chains.flatMap {
            try #require(
                try simulator.truth(chainID: $0, from: Self.from, to: Self.to, includeTransfers: true).transfers
            ).map(\.transferID)
        }
        expectSameRows(reference.ids, truthIDs, "clean run vs ground truth ids")
        var longest: [String: Int] = [:]
        for row in try cleanDatabase.strings(
            "SELECT stage || '|' || max(duration_ms) FROM etl_stage_runs WHERE status = 'succeeded' GROUP BY stage")
        {
            let parts = row.split(separator: "|")
            longest[String(parts[0])] = Int(parts[1]) ?? 0
        }

        // The crashed history, in another database and workdir.
        let database = try E2EDatabase()
        defer { database.drop() }
        let crashed = try FixturePipeline("gt_transfers", database: database, simulator: simulator)
        defer { crashed.remove() }
        var landed = 0
        var missed = 0
        var inFlight: [String: Int] = [:]
        var lockedRetries = 0
        var schedule: [String] = []
        var scale: [String: Double] = [:]
        while landed < kills && missed < kills * 4 {
            let stage = Self.stages[landed % Self.stages.count]
            let day = days[random.next(below: days.count)]
            let delay = random.next(below: max(Int(Double(longest[stage] ?? 0) * (scale[stage] ?? 1)), 5) + 1)
            // The first run starts from nothing; later ones rerun the targeted stage and what follows
            // (a selected stage always runs), so there is work to interrupt. A load of an unchanged
            // checkpoint into a table that still holds its rows is a no-op, so before a load target
            // the table is emptied (a restored or truncated table must be reloaded by the rerun).
            let first = landed + missed == 0
            let rerun = [
                "extract": ["--force"], "normalize": ["--select", "normalize+"], "load": ["--select", "load"],
            ]
            if !first && stage == "load" { try database.execute("TRUNCATE transfers") }
            let process = try crashed.start(range + (first ? [] : rerun[stage]!))
            let reached = ChainETLProcess.waitUntil(seconds: 180) {
                !process.process.isRunning || Self.hasStarted(stage, day, in: process.stderrSoFar)
            }
            #expect(reached, "\(stage) of \(day) never started")
            Thread.sleep(forTimeInterval: Double(delay) / 1000)
            guard process.process.isRunning else {
                let output = try process.wait()
                crashed.keep(output)
                #expect(output.exitCode == 0, "an uninterrupted run failed: \(output.stderr.suffix(2000))")
                missed += 1
                scale[stage, default: 1] /= 2  // the stage is quicker alone than in the clean run
                continue
            }
            kill(process.process.processIdentifier, SIGKILL)
            let killedOutput = try process.wait()
            crashed.keep(killedOutput)
            #expect(process.process.terminationReason == .uncaughtSignal)
            landed += 1
            let runID = Self.runID(in: killedOutput.stderr)
            let running = try database.strings(
                "SELECT stage || '@' || partition FROM etl_stage_runs WHERE run_id = $1 AND status = 'running' ORDER BY 1",
                [runID ?? ""])
            for unit in running { inFlight[String(unit.prefix { $0 != "@" }), default: 0] += 1 }
            schedule.append("\(stage)@\(day)+\(delay)ms: \(running.joined(separator: ","))")

            // Whatever the kill left, no finished checkpoint is partial.
            try Self.expectEveryCheckpointVerifies(crashed)

            // A plain rerun finishes the job (waiting while the killed run's sessions close).
            var resumed = try crashed.run(range)
            while resumed.exitCode == 3 && lockedRetries < 40 {
                lockedRetries += 1
                Thread.sleep(forTimeInterval: 0.25)
                resumed = try crashed.run(range)
            }
            #expect(
                resumed.exitCode == 0, "rerun after kill \(landed) (\(schedule.last!)): \(resumed.stderr.suffix(3000))")
            try Self.expectEveryCheckpointVerifies(crashed)
            let snapshot = try TransferSnapshot(database)
            #expect(snapshot.duplicateIDs == 0, "duplicate transfer ids after kill \(landed)")
            #expect(snapshot.daily == reference.daily, "per-partition counts or sums differ after kill \(landed)")
            #expect(snapshot.fingerprint == reference.fingerprint, "transfers differ after kill \(landed)")
            if snapshot.ids != reference.ids { expectSameRows(snapshot.ids, reference.ids, "ids after kill \(landed)") }
        }
        #expect(landed == kills, "only \(landed) of \(kills) kills landed before the run ended (\(missed) missed)")
        #expect(try SecretScan.files(under: crashed.workdir, containing: simulator.apiKey) == [])
        for output in crashed.outputs {
            #expect(!output.stderr.contains(simulator.apiKey) && !output.stdout.contains(simulator.apiKey))
        }
        print(
            """
            crash-test: seed \(seed), clean run \(String(format: "%.1f", cleanSeconds)) s, \(landed) kills landed, \(missed) runs ended before their kill, \
            in flight when killed \(inFlight.sorted { $0.key < $1.key }), \(lockedRetries) locked retries, \
            \(String(format: "%.1f", Date().timeIntervalSince(started))) s
            \(schedule.joined(separator: "\n"))
            """)
    }

    /// True once stderr (JSON lines) holds `stage started` for `stage` and `day`.
    static func hasStarted(_ stage: String, _ day: PartitionDay, in stderr: String) -> Bool {
        stderr.split(separator: "\n").contains { line in
            guard line.contains("stage started"),
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            else { return false }
            return object["msg"] as? String == "stage started" && object["stage.id"] as? String == stage
                && object["partition"] as? String == day.description
        }
    }

    /// The run id a run logged first.
    static func runID(in stderr: String) -> String? {
        for line in stderr.split(separator: "\n") {
            if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let id = object["run.id"] as? String
            {
                return id
            }
        }
        return nil
    }

    /// Every finished checkpoint directory (not a `.tmp-*` or `.prev`) opens and verifies: its
    /// manifest, and the size, SHA-256, gzip stream and row count of every part and side file.
    static func expectEveryCheckpointVerifies(_ pipeline: FixturePipeline) throws {
        let root = pipeline.workdir.appendingPathComponent("checkpoints/\(pipeline.name)")
        let files = FileManager.default
        for dayName in (try? files.contentsOfDirectory(atPath: root.path)) ?? [] {
            let day = try #require(PartitionDay(dayName), "unexpected \(dayName) under \(root.path)")
            let names = try files.contentsOfDirectory(atPath: root.appendingPathComponent(dayName).path)
            for name in names where !name.contains(".tmp-") && !name.hasSuffix(".prev") {
                let location = CheckpointLocation(
                    workdir: pipeline.workdir, pipeline: pipeline.name, partition: day, stageID: name)
                #expect(throws: Never.self, "checkpoint \(dayName)/\(name)") {
                    try CheckpointReader.open(location).verify()
                }
            }
        }
    }
}

/// What a crash must not change in `transfers`.
struct TransferSnapshot: Equatable {
    /// `chain|token|day|count|sum` per (chain, token, UTC day).
    var daily: [String]
    var ids: [String]
    var duplicateIDs: Int
    /// md5 of every column but `loaded_at`, in transfer id order.
    var fingerprint: String

    init(_ database: E2EDatabase) throws {
        daily = try database.strings(
            """
            SELECT concat_ws('|', chain_id, token_address, (block_time AT TIME ZONE 'UTC')::date, count(*), sum(value))
            FROM transfers GROUP BY chain_id, token_address, (block_time AT TIME ZONE 'UTC')::date ORDER BY 1
            """)
        ids = try database.strings("SELECT encode(transfer_id, 'hex') FROM transfers ORDER BY 1")
        duplicateIDs = ids.count - Set(ids).count
        fingerprint = try database.scalar(
            """
            SELECT count(*)::text || ':' || md5(string_agg(
                concat_ws('|', encode(transfer_id, 'hex'), chain_id, block_number, block_time, block_hash, tx_hash,
                          log_index, occurrence, token_address, from_address, to_address, value, token_symbol,
                          token_name, token_decimals, source, pipeline),
                ',' ORDER BY transfer_id, token_address, block_time))
            FROM transfers
            """)
    }
}

/// SplitMix64: a reproducible kill schedule from one seed.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound`.
    mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}

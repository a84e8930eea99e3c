import ChainETLCore
import ChainETLSimulator
import Foundation
import Testing

/// Issue 4's "how it will be checked", run as a user runs it: the built binary, a real database,
/// the simulator with faults, then every loaded transfer compared with the simulator's ground truth.
@Suite("Ground truth: transfers (binary, simulator, Postgres)")
struct GroundTruthTransfersTests {
    static let from = "2026-10-29"  // crosses a month boundary: two transfers partitions
    static let to = "2026-11-04"
    static let rerunDay = "2026-11-01"
    static let chains = [1, 25]

    /// One transfer per line, as the ground truth lists it.
    static let transferRowSQL = """
        SELECT concat_ws('|', encode(transfer_id, 'hex'), chain_id, block_number, \(isoUTC("block_time")),
                         tx_hash, coalesce(log_index::text, 'null'), occurrence, token_address,
                         from_address, to_address, value)
        FROM transfers
        """

    @Test func aSevenDayRunWithTenPercentFaultsLoadsExactlyTheGroundTruthAndRerunsChangeNothing() throws {
        let database = try E2EDatabase()
        defer { database.drop() }
        let simulator = try E2ESimulator(seed: 4, transfersPerDay: 300, faultRate: 0.1, ratePerSecond: 150)
        defer { simulator.stop() }
        let pipeline = try FixturePipeline("gt_transfers", database: database, simulator: simulator)
        defer { pipeline.remove() }
        try Self.expectFixtureTracksEveryToken(pipeline.file)

        let started = Date()
        let run = try pipeline.run(["--from", Self.from, "--to", Self.to, "--jobs", "2", "--log-format", "json"])
        let seconds = Date().timeIntervalSince(started)
        #expect(run.exitCode == 0, "\(run.stderr.suffix(3000))")
        let stats = simulator.server.stats
        #expect(stats.faultsInjected > 0, "the run must have met faults: \(stats.json)")
        print("gt_transfers: 7-day run \(String(format: "%.1f", seconds)) s, \(stats.json)")

        let truths = try Self.chains.map {
            try simulator.truth(chainID: $0, from: Self.from, to: Self.to, includeTransfers: true)
        }

        // The exact set of transfers, field by field, with no duplicate ids.
        let expectedTransfers = try truths.flatMap { truth in
            try #require(truth.transfers).map {
                [
                    $0.transferID, "\(truth.chainID)", "\($0.blockNumber)", $0.blockTime, $0.txHash, "\($0.logIndex)",
                    "\($0.occurrence)", $0.tokenAddress, $0.fromAddress, $0.toAddress, $0.value,
                ].joined(separator: "|")
            }
        }
        let loadedTransfers = try database.strings(Self.transferRowSQL)
        #expect(loadedTransfers.count > 10_000, "too little data to prove anything: \(loadedTransfers.count)")
        expectSameRows(loadedTransfers, expectedTransfers, "transfers")
        let ids = try database.strings("SELECT encode(transfer_id, 'hex') FROM transfers")
        #expect(ids.count == Set(ids).count, "duplicate transfer ids")
        expectSameRows(ids, truths.flatMap { $0.transfers!.map(\.transferID) }, "transfer ids")

        // Counts and exact value sums per (chain, token, day).
        let loadedDaily = try database.strings(
            """
            SELECT concat_ws('|', chain_id, token_address, (block_time AT TIME ZONE 'UTC')::date, count(*), sum(value))
            FROM transfers GROUP BY chain_id, token_address, (block_time AT TIME ZONE 'UTC')::date
            """)
        let expectedDaily = truths.flatMap { truth in
            truth.daily.map { "\(truth.chainID)|\($0.tokenAddress)|\($0.day)|\($0.allTransferCount)|\($0.allValueRaw)" }
        }
        #expect(expectedDaily.count == Self.chains.count * 6 * 7, "every ERC-20 token has transfers every day")
        expectSameRows(loadedDaily, expectedDaily, "per (chain, token, day) count and value sum")

        // The data held what the check is about: identical transfers, values past 2^64, ERC-721 logs.
        #expect(try database.scalar("SELECT count(*) FROM transfers WHERE occurrence > 0") != "0")
        #expect(try database.scalar("SELECT count(*) FROM transfers WHERE value > 18446744073709551615") != "0")
        let erc721 = truths.reduce(0) { $0 + $1.erc721LogsExcluded }
        #expect(erc721 > 0)
        var excluded = 0
        var quarantined = 0
        for day in try Self.days() {
            let manifest = try Self.manifest(pipeline, day, "normalize")
            excluded += manifest.counts.excluded
            quarantined += manifest.counts.quarantined
        }
        #expect(excluded == erc721, "normalize excluded \(excluded) rows; the chains hold \(erc721) ERC-721 logs")
        #expect(quarantined == 0, "valid simulator rows were quarantined")

        // Running the same partition again inserts 0 rows, even forced (extract included).
        let fingerprint = try database.fingerprint(of: "transfers")
        let again = try pipeline.run(["--from", Self.from, "--to", Self.to, "--log-format", "text"])
        #expect(again.exitCode == 0, "\(again.stderr.suffix(2000))")
        #expect(again.stderr.split(separator: "\n").last?.contains(": 0 stages ok, 28 skipped, 0 failed") == true)
        let forced = try pipeline.run(["--partition", Self.rerunDay, "--force", "--log-format", "text"])
        #expect(forced.exitCode == 0, "\(forced.stderr.suffix(2000))")
        #expect(forced.stderr.split(separator: "\n").last?.contains(": 4 stages ok, 0 skipped, 0 failed") == true)
        let load = try database.strings(
            """
            SELECT concat_ws('|', rows_inserted, rows_removed, rows_present) FROM etl_loads
            WHERE pipeline = 'gt_transfers' AND partition = $1::date AND stage = 'load'
            """, [Self.rerunDay])
        let dayCount = try database.scalar(
            "SELECT count(*) FROM transfers WHERE (block_time AT TIME ZONE 'UTC')::date = $1::date", [Self.rerunDay])
        #expect(load == ["0|0|\(dayCount)"], "the forced reload must insert and remove nothing")
        #expect(try database.fingerprint(of: "transfers") == fingerprint, "a forced rerun changed transfers")

        // Rerunning normalize alone, then load, makes no API call and leaves the table identical.
        let callsBefore = simulator.requests
        for selection in ["normalize", "load", "normalize+"] {
            let rerun = try pipeline.run(["--partition", Self.rerunDay, "--select", selection, "--log-format", "text"])
            #expect(rerun.exitCode == 0, "--select \(selection): \(rerun.stderr.suffix(2000))")
            let stages = selection == "normalize+" ? 3 : 1
            #expect(
                rerun.stderr.split(separator: "\n").last?.contains(": \(stages) stages ok, 0 skipped, 0 failed")
                    == true,
                "--select \(selection): \(rerun.stderr.suffix(500))")
            if selection == "normalize" {
                // The rerun reports what changed against the previous checkpoint: nothing.
                let unit = try pipeline.unitReport(of: rerun, stage: "normalize", partition: Self.rerunDay)
                let diff = try #require(unit["diff"] as? [String: Any], "normalize's rerun reports no diff: \(unit)")
                #expect(diff["added"] as? Int == 0 && diff["removed"] as? Int == 0 && diff["changed"] as? Int == 0)
                #expect((diff["unchanged"] as? Int).map(String.init) == dayCount, "\(diff)")
            }
        }
        #expect(simulator.requests == callsBefore, "rerunning normalize and load called the explorer")
        #expect(
            try database.fingerprint(of: "transfers") == fingerprint, "rerunning normalize and load changed transfers")

        // The API key is nowhere: not in the workdir (checkpoints decompressed), the output, or the database.
        #expect(try SecretScan.files(under: pipeline.workdir, containing: simulator.apiKey) == [])
        for output in pipeline.outputs {
            #expect(!output.stderr.contains(simulator.apiKey) && !output.stdout.contains(simulator.apiKey))
        }
        #expect(!(try SecretScan.dump(databaseURL: database.url)).contains(simulator.apiKey))
    }

    /// The fixture lists every simulated token of both chains (the ground truth covers them all).
    static func expectFixtureTracksEveryToken(_ file: URL) throws {
        let text = try String(contentsOf: file, encoding: .utf8)
        for chainID in chains {
            for token in SimulatedChain.tokens(chainID: chainID) {
                #expect(
                    text.contains("\"\(token.address)\""),
                    "\(file.lastPathComponent) misses \(token.symbol) of chain \(chainID)")
            }
        }
    }

    static func days(from: String = from, to: String = to) throws -> [PartitionDay] {
        PartitionDay.range(from: try #require(PartitionDay(from)), through: try #require(PartitionDay(to)))
    }

    static func manifest(_ pipeline: FixturePipeline, _ day: PartitionDay, _ stage: String) throws -> CheckpointManifest
    {
        let url = pipeline.workdir.appendingPathComponent(
            "checkpoints/\(pipeline.name)/\(day)/\(stage)/\(CheckpointManifest.fileName)")
        return try JSONDecoder().decode(CheckpointManifest.self, from: Data(contentsOf: url))
    }
}

import ChainETLCore
import Foundation
import Testing

/// Issue 20 item 1's "how it will be checked", small enough for CI: the demo pipeline
/// (pipelines/demo.yaml) over four days against the simulator, once with `--jobs 2` and once with
/// `--jobs 1` into a fresh database and work directory: every day's export bundle is byte-identical
/// (the manifest up to its per-run keys). Then an older day is rerun from
/// `normalize` on: its bundle, and every other, is unchanged.
@Suite("Export replay: bundles independent of run order (binary, simulator, Postgres)", .serialized)
struct ExportReplayTests {
    static let days = PartitionDay.range(from: PartitionDay("2026-11-28")!, through: PartitionDay("2026-12-01")!)
    static let demo = ChainETLProcess.packageRoot.appendingPathComponent("pipelines/demo.yaml")
    /// The manifest keys that describe the run rather than the data (docs/exports.md "manifest.json"):
    /// `inputs` are the upstream checkpoints' content hashes, and those record run facts (the chain
    /// head when the explorer was read, what a load inserted or found in place).
    static let perRunKeys: Set<String> = ["run_id", "generated_at", "inputs"]

    /// One replay of the demo: its own database and work directory.
    final class Replay {
        let database: E2EDatabase
        let workdir: URL
        let environment: [String: String]

        init(simulator: E2ESimulator) throws {
            database = try E2EDatabase()
            workdir = FileManager.default.temporaryDirectory.appendingPathComponent(
                "chainetl-e2e-replay-\(UInt64.random(in: 0...UInt64.max))")
            try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
            environment = [
                "DATABASE_URL": database.url, "SIMULATOR_URL": simulator.server.baseURL,
                "DEMO_API_KEY": simulator.apiKey,
            ]
        }

        func run(_ extra: [String]) throws {
            let output = try ChainETLProcess.run(
                ["run", ExportReplayTests.demo.path, "--workdir", workdir.path, "--log-format", "text"] + extra,
                environment: environment)
            #expect(output.exitCode == 0, "\(extra): \(output.stderr.suffix(3000))")
        }

        /// Every file of the day's bundle: the manifest without its per-run keys, re-serialized with
        /// sorted keys; every other file as its bytes.
        func bundle(_ day: PartitionDay) throws -> [String: Data] {
            let directory = workdir.appendingPathComponent("exports/demo/\(day)", isDirectory: true)
            var files: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
                let data = try Data(contentsOf: directory.appendingPathComponent(name))
                if name == "manifest.json" {
                    var manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
                    for key in ExportReplayTests.perRunKeys { manifest[key] = nil }
                    files[name] = try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])
                } else {
                    files[name] = data
                }
            }
            return files
        }

        /// Rows of `summary` in the day's bundle, from its manifest.
        func rows(_ summary: String, _ day: PartitionDay) throws -> Int? {
            let data = try #require(try bundle(day)["manifest.json"])
            let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let summaries = try #require(manifest["summaries"] as? [[String: Any]])
            return summaries.first { $0["name"] as? String == summary }?["rows"] as? Int
        }

        /// The `run_id` of the run that wrote the day's bundle.
        func runID(_ day: PartitionDay) throws -> String? {
            let url = workdir.appendingPathComponent("exports/demo/\(day)/manifest.json")
            let manifest = try JSONSerialization.jsonObject(with: try Data(contentsOf: url)) as? [String: Any]
            return manifest?["run_id"] as? String
        }

        func remove() {
            database.drop()
            try? FileManager.default.removeItem(at: workdir)
        }
    }

    @Test func jobsTwoThenJobsOneGiveByteIdenticalBundlesAndRerunningAnOlderDayChangesNone() throws {
        let simulator = try E2ESimulator(seed: 7, transfersPerDay: 40)
        defer { simulator.stop() }
        let range = ["--from", "\(Self.days.first!)", "--to", "\(Self.days.last!)"]

        let parallel = try Replay(simulator: simulator)
        defer { parallel.remove() }
        try parallel.run(range + ["--jobs", "2"])
        let serial = try Replay(simulator: simulator)
        defer { serial.remove() }
        try serial.run(range + ["--jobs", "1"])

        var bundles: [PartitionDay: [String: Data]] = [:]
        for day in Self.days {
            let expected = try serial.bundle(day)
            bundles[day] = expected
            // Seven summaries, a CSV and an NDJSON file each, the manifest and three loaders.
            #expect(expected.count == 18, "\(day): \(expected.keys.sorted())")
            let actual = try parallel.bundle(day)
            #expect(actual.keys.sorted() == expected.keys.sorted(), "\(day)")
            for (name, data) in expected where actual[name] != data {
                Issue.record(
                    "\(day)/\(name) differs between --jobs 2 and --jobs 1: \(Self.difference(data, actual[name]))")
            }
            // The rolling summaries describe the end of every day, never nothing.
            for summary in ["token_summary", "platform_stats"] {
                #expect((try serial.rows(summary, day) ?? 0) > 0, "\(day): \(summary) is empty")
            }
        }

        // An older day rerun from normalize on reproduces its bundle; the later days' stay as they were.
        let older = Self.days[1]
        let runIDs = try Self.days.map { try serial.runID($0) }
        try serial.run(["--partition", "\(older)", "--select", "normalize+", "--force", "--jobs", "2"])
        for (index, day) in Self.days.enumerated() {
            // The older day was exported again, by the rerun; no other day was.
            #expect((try serial.runID(day) != runIDs[index]) == (day == older), "\(day)")
            let after = try serial.bundle(day)
            for (name, data) in try #require(bundles[day]) where after[name] != data {
                Issue.record("\(day)/\(name) changed when \(older) was rerun: \(Self.difference(data, after[name]))")
            }
        }
    }

    /// The first differing stretch of two files, as text, for the failure message.
    static func difference(_ expected: Data, _ actual: Data?) -> String {
        guard let actual else { return "missing" }
        let a = Array(expected)
        let b = Array(actual)
        let start = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        func around(_ bytes: [UInt8]) -> String {
            String(decoding: bytes[max(0, start - 200)..<min(bytes.count, start + 200)], as: UTF8.self)
        }
        return "byte \(start): expected …\(around(a))… got …\(around(b))…"
    }
}

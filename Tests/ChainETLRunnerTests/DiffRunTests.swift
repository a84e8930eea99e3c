import ChainETLCore
import ChainETLPostgres
import Foundation
import Testing

@testable import ChainETLRunner

/// The rerun diff through the runner: report, log, diff file, `.prev`, aggregate deltas (PostgreSQL).
@Suite("Rerun diff in runs")
struct DiffRunTests {
    static let pipeline = """
        stages:
          - id: normalize
            uses: test/lines
            with:
              file: transfers.ndjson
              schema: transfer/1
          - id: copy
            uses: test/copy
            needs: [normalize]
        """

    @Test func aSingleStageRerunReportsTheExactAddedRemovedAndChangedIDs() throws {
        let fixture = try RunnerFixture(Self.pipeline)
        try DiffRunner.write(DiffCheckpointTests.before, to: "transfers.ndjson", in: fixture)
        let first = try DiffRunner.run(fixture)
        #expect(first.result.exitCode == 0)
        #expect(try DiffRunner.unit(first.result, "normalize").diff == nil)

        // An upstream change: 3 transfers gone, 2 new, 2 with another symbol.
        try DiffRunner.write(DiffCheckpointTests.after, to: "transfers.ndjson", in: fixture)
        let (result, stderr) = try DiffRunner.run(fixture, select: ["normalize"], exampleLimit: 2)
        #expect(result.exitCode == 0)
        let diff = try #require(try DiffRunner.unit(result, "normalize").diff)
        #expect((diff.added, diff.removed, diff.changed, diff.unchanged) == (2, 3, 2, 95))
        #expect(diff.examples.removed.count == 2)
        let file = try DiffRunner.diffFile(try #require(diff.file), in: fixture)
        #expect(Set(file["added"] ?? []) == [TransferLines.id(101), TransferLines.id(102)])
        #expect(Set(file["removed"] ?? []) == Set([5, 17, 42].map(TransferLines.id)))
        #expect(Set(file["changed"] ?? []) == Set([7, 63].map(TransferLines.id)))
        #expect(diff.file == "runs/\(result.report!.runID)/diffs/2026-11-20/normalize.ndjson.gz")

        // The JSON report and the log carry it too.
        let reportURL = try #require(result.reportURL)
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: reportURL)) as? [String: Any])
        let units = try #require(report["units"] as? [[String: Any]])
        let reported = try #require(units.first { $0["stage"] as? String == "normalize" }?["diff"] as? [String: Any])
        #expect(reported["added"] as? Int == 2)
        #expect(reported["removed"] as? Int == 3)
        #expect(reported["changed"] as? Int == 2)
        let logLine = try #require(stderr.split(separator: "\n").first { $0.contains("\"msg\":\"checkpoint diff\"") })
        #expect(logLine.contains("\"diff.added\":\"2\""))
        #expect(logLine.contains("\"diff.removed\":\"3\""))
        #expect(logLine.contains("\"diff.changed\":\"2\""))
        #expect(logLine.contains("\"stage.id\":\"normalize\""))
    }

    @Test func thePreviousCheckpointIsKeptUntilTheNextSuccessfulRun() throws {
        let fixture = try RunnerFixture(Self.pipeline)
        try DiffRunner.write(Array(DiffCheckpointTests.before.prefix(10)), to: "transfers.ndjson", in: fixture)
        #expect(try DiffRunner.run(fixture).result.exitCode == 0)
        try DiffRunner.write(Array(DiffCheckpointTests.before.prefix(12)), to: "transfers.ndjson", in: fixture)
        #expect(try DiffRunner.run(fixture, select: ["normalize"]).result.exitCode == 0)
        let location = fixture.location("normalize")
        let previous = try #require(try CheckpointStore.previousManifest(at: location))
        #expect(previous.totalRows == 10)

        // A failed rerun (its input file is gone) leaves both the checkpoint and `.prev` alone.
        try FileManager.default.removeItem(
            at: fixture.pipelineFile.deletingLastPathComponent().appendingPathComponent("transfers.ndjson"))
        let failed = try DiffRunner.run(fixture, select: ["normalize"])
        #expect(failed.result.exitCode == 1)
        #expect(try DiffRunner.unit(failed.result, "normalize").diff == nil)
        #expect(try CheckpointStore.previousManifest(at: location)?.contentHash == previous.contentHash)
        #expect(try CheckpointStore.existingManifest(at: location)?.totalRows == 12)

        // The next successful run replaces `.prev` with the checkpoint it replaced.
        try DiffRunner.write(Array(DiffCheckpointTests.before.prefix(11)), to: "transfers.ndjson", in: fixture)
        let next = try DiffRunner.run(fixture, select: ["normalize"])
        #expect(next.result.exitCode == 0)
        #expect(try CheckpointStore.previousManifest(at: location)?.totalRows == 12)
        let diff = try #require(try DiffRunner.unit(next.result, "normalize").diff)
        #expect(diff.removed == 1 && diff.added == 0)
        #expect(diff.examples.removed == [TransferLines.id(12)])
    }

    @Test func anAggregateStageReportsTheChangeInEachDailyAggregate() throws {
        let token = "0x" + String(repeating: "ab", count: 20)
        let big = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        func yaml(count: Int, volume: String) -> String {
            """
            stages:
              - id: daily
                uses: test/daily-volume
                with:
                  token: "\(token)"
                  count: \(count)
                  volume: "\(volume)"
            """
        }
        let fixture = try RunnerFixture(yaml(count: 10, volume: "500"), files: [:])
        let connection = try fixture.connect()
        defer { connection.close() }
        let day = "2026-11-\(10 + Int.random(in: 0...9))"
        let first = try DiffRunner.run(fixture, day: day)
        #expect(first.result.exitCode == 0)
        defer {
            _ = try? connection.execute(
                SQLQuery("DELETE FROM daily_token_volume WHERE token_address = $1 AND day = $2::date", [token, day]))
        }
        let created = try #require(try DiffRunner.unit(first.result, "daily").diff)
        let entity = "1/\(token)/\(day)"
        #expect(
            created.aggregates == [
                .init(entity: entity, metric: "transfer_count", before: nil, after: "10", delta: "+10"),
                .init(entity: entity, metric: "volume_raw", before: nil, after: "500", delta: "+500"),
            ])

        try fixture.write(yaml(count: 7, volume: big))
        let second = try DiffRunner.run(fixture, day: day)
        #expect(second.result.exitCode == 0)
        let changed = try #require(try DiffRunner.unit(second.result, "daily").diff)
        #expect(
            changed.aggregates == [
                .init(entity: entity, metric: "transfer_count", before: "10", after: "7", delta: "-3"),
                .init(
                    entity: entity, metric: "volume_raw", before: "500", after: big,
                    delta: "+115792089237316195423570985008687907853269984665640564039457584007913129639435"),
            ])
        #expect(second.stderr.contains("\"diff.aggregates.changed\":\"2\""))
    }
}

import ChainETLCore
import ChainETLPostgres
import ChainETLRunner
import Foundation
import Testing

/// The runner end to end in-process, with the test stage kinds, against the real PostgreSQL.
@Suite("Runner integration")
struct RunnerIntegrationTests {
    static let chain = """
        stages:
          - id: emit
            uses: test/emit
            with:
              rows: 50
          - id: copy
            uses: test/copy
            needs: [emit]
          - id: copy2
            uses: test/copy
            needs: [copy]
        """

    @Test func firstRunWritesCheckpointsLedgerAndReport() throws {
        let fixture = try RunnerFixture(Self.chain)
        let (result, stderr, _) = try fixture.run()
        #expect(result.exitCode == 0)
        #expect(result.statuses.values.allSatisfy { $0 == .succeeded })
        #expect(result.statuses.count == 3)
        #expect(try fixture.lineCount("copy2") == 50)

        let reportURL = try #require(result.reportURL)
        let data = try Data(contentsOf: reportURL)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["status"] as? String == "succeeded")
        #expect((json["units"] as? [[String: Any]])?.count == 3)
        #expect(reportURL.path == fixture.workdir.appendingPathComponent("runs/\(result.report!.runID).json").path)
        let page = try String(
            contentsOf: fixture.workdir.appendingPathComponent("runs/\(result.report!.runID).html"), encoding: .utf8)
        #expect(page.contains("<svg"))
        #expect(page.contains(result.report!.runID))

        let lastLine = try #require(stderr.split(separator: "\n").last)
        #expect(lastLine.contains("\"msg\":\"run summary\""))
        #expect(lastLine.contains("3 stages ok, 0 skipped, 0 failed, 1 partition"))

        let connection = try fixture.connect()
        defer { connection.close() }
        let run = try connection.execute(
            SQLQuery(
                "SELECT status, partitions::text, finished_at IS NOT NULL FROM etl_runs WHERE id = $1",
                [result.report!.runID]))
        #expect(run.value(row: 0, column: 0) == "succeeded")
        #expect(run.value(row: 0, column: 1) == "{2026-11-20}")
        #expect(run.bool(row: 0, column: 2) == true)
        let stages = try connection.execute(
            SQLQuery(
                "SELECT stage, status, rows_out, checkpoint_hash FROM etl_stage_runs WHERE run_id = $1 ORDER BY stage",
                [result.report!.runID]))
        #expect(stages.count == 3)
        #expect((0..<3).allSatisfy { stages.value(row: $0, column: 1) == "succeeded" })
        #expect(try stages.int(row: 0, column: 2) == 50)
        let copyManifest = try CheckpointStore.existingManifest(at: fixture.location("copy"))
        #expect(stages.value(row: 0, column: 3) == copyManifest?.contentHash)
    }

    @Test func theMetricsFileHasStageRowsAndTheLastSuccess() throws {
        let fixture = try RunnerFixture(Self.chain)
        let metrics = fixture.root.appendingPathComponent("metrics/chainetl.prom")
        let (result, _, _) = try fixture.run(metricsFile: metrics)
        #expect(result.exitCode == 0)
        let text = try String(contentsOf: metrics, encoding: .utf8)
        let pipeline = "pipeline=\"\(fixture.pipelineName)\""
        #expect(text.contains("# TYPE chainetl_stage_rows gauge"))
        let day = try #require(result.report?.partitions.first).description
        #expect(text.contains("chainetl_stage_rows{\(pipeline),stage=\"copy2\",partition=\"\(day)\",kind=\"out\"} 50\n"))
        #expect(text.contains("chainetl_stage_units{\(pipeline),stage=\"emit\",status=\"succeeded\"} 1\n"))
        #expect(text.contains("chainetl_run_exit_code{\(pipeline)} 0\n"))
        let success = try #require(
            text.split(separator: "\n").first { $0.hasPrefix("chainetl_last_success_timestamp_seconds{") })
        let seconds = try #require(Double(success.split(separator: " ").last!))
        #expect(abs(seconds - Date().timeIntervalSince1970) < 600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: metrics.deletingLastPathComponent().path)
        #expect(leftovers == ["chainetl.prom"])
    }

    @Test func aSecondRunSkipsAndForceRerunsEverything() throws {
        let fixture = try RunnerFixture(Self.chain)
        _ = try fixture.run()
        let again = try fixture.run()
        #expect(again.result.exitCode == 0)
        #expect(again.result.statuses.values.allSatisfy { $0 == .skipped })
        #expect(again.result.report?.units.first?.reason == "checkpoint matches config and inputs")

        let forced = try fixture.run(force: true)
        #expect(forced.result.statuses.values.allSatisfy { $0 == .succeeded })
        // The replaced checkpoint is kept as <stage>.prev until the next run.
        #expect(try CheckpointStore.previousManifest(at: fixture.location("emit")) != nil)
    }

    @Test(arguments: [
        (["copy"], ["copy"]),
        (["copy+"], ["copy", "copy2"]),
        (["+copy"], ["emit", "copy"]),
        (["emit", "copy2"], ["emit", "copy2"]),
    ])
    func selectionRunsExactlyTheNamedStages(select: [String], expected: [String]) throws {
        let fixture = try RunnerFixture(Self.chain)
        _ = try fixture.run()
        let (result, _, _) = try fixture.run(select: select)
        #expect(result.exitCode == 0)
        #expect(result.report?.units.map(\.stage) == expected)
        #expect(
            result.report?.units.allSatisfy { $0.status == .succeeded && $0.reason == "selected (--select)" } == true)
    }

    @Test func aConfigChangeRerunsTheStageAndWhatReadsIt() throws {
        let fixture = try RunnerFixture(Self.chain)
        _ = try fixture.run()
        try fixture.write(Self.chain.replacingOccurrences(of: "rows: 50", with: "rows: 20"))
        let (result, _, _) = try fixture.run()
        let reasons = Dictionary(uniqueKeysWithValues: (result.report?.units ?? []).map { ($0.stage, $0.reason) })
        #expect(reasons == ["emit": "config changed: with.rows", "copy": "inputs changed: emit", "copy2": "inputs changed: copy"])
        #expect(try fixture.lineCount("copy2") == 20)
    }

    @Test func aFailureBlocksDownstreamAndSelectFailedRerunsOnlyThat() throws {
        let fixture = try RunnerFixture(
            """
            stages:
              - id: emit
                uses: test/emit
                with: { rows: 10 }
              - id: flaky
                uses: test/emit
                with:
                  rows: 10
                  fail_after: ${FLAKY_FAIL_AFTER:-1000000}
              - id: after
                uses: test/copy
                needs: [flaky]
              - id: sibling
                uses: test/copy
                needs: [emit]
            """)
        let first = try fixture.run(environment: ["FLAKY_FAIL_AFTER": "3"])
        #expect(first.result.exitCode == 1)
        #expect(first.result.status("flaky") == .failed)
        #expect(first.result.status("after") == .blocked)
        #expect(first.result.status("emit") == .succeeded)
        #expect(first.result.status("sibling") == .succeeded)
        // The failed stage left no checkpoint and no temporary directory behind.
        #expect(try CheckpointStore.existingManifest(at: fixture.location("flaky")) == nil)
        let leftovers = try FileManager.default.contentsOfDirectory(
            atPath: fixture.location("flaky").partitionDirectory.path)
        #expect(!leftovers.contains { $0.hasPrefix("flaky.tmp-") })
        let failureLine = try #require(
            first.stderr.split(separator: "\n").first { $0.contains("\"msg\":\"run failed\"") })
        #expect(failureLine.contains("stage flaky failed for partition 2026-11-20"))
        #expect(failureLine.contains("fail_after"))
        #expect(failureLine.contains("--partition 2026-11-20 --select failed"))

        let second = try fixture.run(select: ["failed"])
        #expect(second.result.exitCode == 0)
        #expect(second.result.report?.units.map(\.stage) == ["flaky", "after"])
        #expect(try fixture.lineCount("after") == 10)

        // Nothing is left failed, so a third `--select failed` runs nothing.
        let third = try fixture.run(select: ["failed"])
        #expect(third.result.exitCode == 0)
        #expect(third.result.report?.units.isEmpty == true)
    }

    @Test func anotherSessionHoldingThePartitionLockExitsThree() throws {
        let fixture = try RunnerFixture(Self.chain)
        let holder = try PostgresConnection.connect(
            url: fixture.databaseURL, applicationName: "chainetl run 20261121T030000Z-beef pid 4242",
            logger: .init(label: "test"))
        defer { holder.close() }
        #expect(
            try PartitionLock.tryAcquire(holder, pipeline: fixture.pipelineName, partition: "2026-11-20") == .acquired)

        let (result, stderr, _) = try fixture.run()
        #expect(result.exitCode == 3)
        #expect(result.statuses.values.allSatisfy { $0 == .locked })
        #expect(
            stderr.contains(
                "partition 2026-11-20 of pipeline \(fixture.pipelineName) is locked by run 20261121T030000Z-beef (pid 4242)"
            ))
        #expect(try CheckpointStore.existingManifest(at: fixture.location("emit")) == nil)

        try PartitionLock.release(holder, pipeline: fixture.pipelineName, partition: "2026-11-20")
        #expect(try fixture.run().result.exitCode == 0)
    }

    @Test func aBackfillRunsEveryDayAsItsOwnPartition() throws {
        let fixture = try RunnerFixture(Self.chain)
        let range = PartitionRequest.range(from: PartitionDay("2026-11-01")!, to: PartitionDay("2026-11-04")!)
        let first = try fixture.run(partitions: range, jobs: 3)
        #expect(first.result.exitCode == 0)
        #expect(first.result.statuses.count == 12)
        #expect(first.result.statuses.values.allSatisfy { $0 == .succeeded })
        #expect(try fixture.lineCount("copy2", "2026-11-03") == 50)

        // Lose one day's checkpoint: a rerun of the range redoes only that day.
        try FileManager.default.removeItem(at: fixture.location("copy2", "2026-11-02").directory)
        let second = try fixture.run(partitions: range, jobs: 3)
        let ran = (second.result.report?.units ?? []).filter { $0.status == .succeeded }.map {
            "\($0.stage)@\($0.partition)"
        }
        #expect(ran == ["copy2@2026-11-02"])
    }

    @Test func aDryRunSaysWhatWouldHappenWithoutADatabase() throws {
        let fixture = try RunnerFixture(Self.chain)
        let unreachable = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"
        let before = try fixture.run(dryRun: true, databaseURL: unreachable)
        #expect(before.result.exitCode == 0)
        #expect(before.stdout.count == 3)
        #expect(before.stdout[0].hasPrefix("run  2026-11-20 emit"))
        #expect(before.stdout[0].hasSuffix("no checkpoint yet"))
        #expect(before.stdout[1].hasSuffix("upstream will run: emit"))
        #expect(try CheckpointStore.existingManifest(at: fixture.location("emit")) == nil)

        _ = try fixture.run()
        try fixture.write(Self.chain.replacingOccurrences(of: "rows: 50", with: "rows: 49"))
        let after = try fixture.run(dryRun: true, databaseURL: unreachable)
        #expect(after.stdout[0].hasPrefix("run  2026-11-20 emit"))
        #expect(after.stdout[0].hasSuffix("config changed: with.rows"))
        try fixture.write(Self.chain)
        let unchanged = try fixture.run(dryRun: true, databaseURL: unreachable)
        #expect(unchanged.stdout.allSatisfy { $0.hasPrefix("skip") })
    }

    @Test func aMissingUpstreamCheckpointFailsTheStageAndNamesIt() throws {
        let fixture = try RunnerFixture(Self.chain)
        let (result, stderr, _) = try fixture.run(select: ["copy"])
        #expect(result.exitCode == 1)
        #expect(result.status("copy") == .failed)
        let error = try #require(result.report?.units.first?.error)
        #expect(error.contains("emit"))
        #expect(stderr.contains("stage copy failed for partition 2026-11-20"))
    }

    @Test func aCorruptUpstreamPartIsRefusedAndNothingHalfWrittenIsKept() throws {
        let fixture = try RunnerFixture(Self.chain)
        _ = try fixture.run()
        let before = try CheckpointStore.existingManifest(at: fixture.location("copy"))
        let part = fixture.location("emit").directory.appendingPathComponent("part-00000.ndjson.gz")
        var bytes = try Data(contentsOf: part)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: part)

        let (result, _, _) = try fixture.run(select: ["copy"])
        #expect(result.exitCode == 1)
        let error = try #require(result.report?.units.first?.error)
        #expect(error.contains("emit"))
        #expect(try CheckpointStore.existingManifest(at: fixture.location("copy")) == before)
    }

    @Test func configProblemsAndOpenDaysExitTwo() throws {
        let fixture = try RunnerFixture(
            """
            stages:
              - id: emit
                uses: test/nope
            """)
        let (result, stderr, _) = try fixture.run()
        #expect(result.exitCode == 2)
        #expect(stderr.contains("\(fixture.pipelineName).yaml:5:"))
        #expect(stderr.contains("not started"))

        try fixture.write(Self.chain)
        let today = PartitionDay(containing: Date())
        let open = try fixture.run(partitions: .single(today))
        #expect(open.result.exitCode == 2)
        #expect(open.stderr.contains("pass --allow-open"))
    }
}

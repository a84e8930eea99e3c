import ChainETLPostgres
import Foundation
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Stopping a run (SIGTERM), losing its database, and following the printed resume command
/// literally (issue 14, items 2 and 4).
@Suite("stop and resume (binary)")
struct StopAndResumeTests {
    /// `emit` → `hold` (sleeps `${HOLD_MS}`) → `done`.
    static let held = """
        stages:
          - id: emit
            uses: test/emit
            with: { rows: 5 }
          - id: hold
            uses: test/sleep
            needs: [emit]
            with:
              ms: ${HOLD_MS}
          - id: done
            uses: test/emit
            needs: [hold]
            with: { rows: 3 }
        """

    private func connect(_ pipeline: E2EPipeline) throws -> PostgresConnection {
        try PostgresConnection.connect(
            url: pipeline.databaseURL, applicationName: "chainetl e2e test", logger: Logger(label: "test"))
    }

    /// The status of each stage's latest unit of `pipeline` on 2026-11-20.
    private func unitStatuses(_ pipeline: E2EPipeline, runID: String) throws -> [String: String] {
        let connection = try connect(pipeline)
        defer { connection.close() }
        let rows = try connection.execute(
            SQLQuery("SELECT stage, status FROM etl_stage_runs WHERE run_id = $1", [runID]))
        var statuses: [String: String] = [:]
        for row in 0..<rows.count { statuses[rows.value(row: row, column: 0)!] = rows.value(row: row, column: 1)! }
        return statuses
    }

    private func runStatus(_ pipeline: E2EPipeline, runID: String) throws -> String? {
        let connection = try connect(pipeline)
        defer { connection.close() }
        let rows = try connection.execute(SQLQuery("SELECT status FROM etl_runs WHERE id = $1", [runID]))
        return rows.count == 1 ? rows.value(row: 0, column: 0) : nil
    }

    /// Waits for the JSON log line saying `stage` started; returns the run id.
    private func waitForStart(of stage: String, in process: ChainETLProcess) throws -> String {
        let marker = "\"stage.id\":\"\(stage)\""
        let seen = ChainETLProcess.waitUntil(seconds: 120) {
            process.stderrSoFar.split(separator: "\n").contains {
                $0.contains("\"msg\":\"stage started\"") && $0.contains(marker)
            }
        }
        #expect(seen, "stage \(stage) never started: \(process.stderrSoFar)")
        let line = try #require(
            process.stderrSoFar.split(separator: "\n").first {
                $0.contains("\"msg\":\"stage started\"") && $0.contains(marker)
            })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return try #require(object["run.id"] as? String)
    }

    @Test func sigtermStopsTheRunRecordsItInterruptedAndAPlainRerunConverges() throws {
        let pipeline = try E2EPipeline(Self.held)
        let process = try ChainETLProcess(
            [
                "run", pipeline.file.path, "--workdir", pipeline.workdir.path, "--partition", "2026-11-20",
                "--log-format", "json", "--jobs", "1",
            ],
            environment: pipeline.environment.merging(["HOLD_MS": "600000"]) { _, new in new })
        let runID = try waitForStart(of: "hold", in: process)
        kill(process.process.processIdentifier, SIGTERM)
        let stopped = try process.wait()

        #expect(stopped.exitCode == 143, "\(stopped.stderr)")
        let summary = try stopped.lastLineJSON()
        #expect(summary["msg"] as? String == "run summary")
        #expect(summary["status"] as? String == "interrupted")
        #expect(summary["exit_code"] as? String == "143")
        let text = try #require(summary["summary"] as? String)
        #expect(text.contains("stopped by SIGTERM"))
        #expect(text.contains("1 stages ok"))
        #expect(text.contains("2 interrupted"))
        #expect(text.contains("; report "))
        let reportFile = pipeline.workdir.appendingPathComponent("runs/\(runID).json")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: reportFile)) as? [String: Any])
        #expect(report["status"] as? String == "interrupted")
        #expect(report["exit_code"] as? Int == 143)
        #expect(try runStatus(pipeline, runID: runID) == "interrupted")
        #expect(
            try unitStatuses(pipeline, runID: runID) == [
                "emit": "succeeded", "hold": "interrupted", "done": "interrupted",
            ])

        // A plain rerun converges.
        let rerun = try pipeline.run(
            ["--partition", "2026-11-20", "--log-format", "text"], environment: ["HOLD_MS": "0"])
        #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        #expect(rerun.stderrLines.last!.contains("2 stages ok, 1 skipped, 0 failed"))
    }

    @Test func sigintStopsARangeAndRecordsTheUnstartedPartitionInterrupted() throws {
        // With --jobs 1 the second partition has not started when the stop arrives: its units
        // are recorded interrupted too, and SIGINT exits 130.
        let pipeline = try E2EPipeline(Self.held)
        let process = try ChainETLProcess(
            [
                "run", pipeline.file.path, "--workdir", pipeline.workdir.path, "--from", "2026-11-20", "--to",
                "2026-11-21", "--log-format", "json", "--jobs", "1",
            ],
            environment: pipeline.environment.merging(["HOLD_MS": "600000"]) { _, new in new })
        _ = try waitForStart(of: "hold", in: process)
        kill(process.process.processIdentifier, SIGINT)
        let stopped = try process.wait()
        #expect(stopped.exitCode == 130, "\(stopped.stderr)")
        let text = try #require(try stopped.lastLineJSON()["summary"] as? String)
        #expect(text.contains("stopped by SIGINT"))
        #expect(text.contains("5 interrupted"))

        // The printed resume command, typed as printed, finishes both partitions.
        let resumeLine = try #require(stopped.stderrLines.last { $0.contains("\"resume\"") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(resumeLine.utf8)) as? [String: Any])
        let resume = try #require(object["resume"] as? String)
        #expect(resume.contains("--from 2026-11-20 --to 2026-11-21 --select failed"), "\(resume)")
        let words = resume.split(separator: " ").dropFirst().map(String.init)
        let resumed = try ChainETLProcess.run(
            words + ["--log-format", "text"],
            environment: pipeline.environment.merging(["HOLD_MS": "0"]) { _, new in new })
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(resumed.stderrLines.last!.contains("5 stages ok, 0 skipped, 0 failed"), "\(resumed.stderr)")
    }

    @Test func databaseLostMidStageThePrintedHintRerunsTheLostStagesAndTheirDownstream() throws {
        let pipeline = try E2EPipeline(Self.held)
        let process = try ChainETLProcess(
            [
                "run", pipeline.file.path, "--workdir", pipeline.workdir.path, "--partition", "2026-11-20",
                "--log-format", "text", "--jobs", "1",
            ],
            environment: pipeline.environment.merging(["HOLD_MS": "8000"]) { _, new in new })
        // Text logs: wait for `hold` to be `running` in the ledger instead of a log line.
        let connection = try connect(pipeline)
        defer { connection.close() }
        var runID: String?
        let running = ChainETLProcess.waitUntil(seconds: 120) {
            let rows = try? connection.execute(
                SQLQuery(
                    "SELECT run_id FROM etl_stage_runs WHERE pipeline = $1 AND stage = $2 AND status = $3",
                    [pipeline.name, "hold", "running"]))
            guard let rows, rows.count > 0 else { return false }
            runID = rows.value(row: 0, column: 0)
            return runID != nil
        }
        #expect(running)
        let id = try #require(runID)
        // The database "dies" for this run: every session of it is terminated.
        kill(process.process.processIdentifier, SIGSTOP)
        _ = try connection.execute(
            SQLQuery(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE $1",
                ["chainetl run \(id)%"]))
        kill(process.process.processIdentifier, SIGCONT)
        let failed = try process.wait()
        #expect(failed.exitCode == 1, "\(failed.stderr)")
        let failure = try #require(failed.stderrLines.last { $0.contains("to resume: ") })
        let resume = try #require(failure.range(of: "to resume: ").map { String(failure[$0.upperBound...]) })
        #expect(resume.contains("--select failed+"), "\(resume)")

        // `status` finds the dead run and says so.
        let status = try ChainETLProcess.run(["status", pipeline.name, "--offline"], environment: pipeline.environment)
        #expect(status.exitCode == 0, "\(status.stderr)")
        #expect(try runStatus(pipeline, runID: id) == "interrupted")
        #expect(try unitStatuses(pipeline, runID: id)["hold"] == "interrupted")

        // Type the printed command.
        let words = resume.split(separator: " ").dropFirst().map(String.init)
        let resumed = try ChainETLProcess.run(
            words + ["--log-format", "text"],
            environment: pipeline.environment.merging(["HOLD_MS": "0"]) { _, new in new })
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(resumed.stderrLines.last!.contains("2 stages ok, 0 skipped, 0 failed"), "\(resumed.stderr)")
    }

    @Test func aCorruptUpstreamCheckpointGivesAHintThatRebuildsIt() throws {
        let pipeline = try E2EPipeline(
            """
            stages:
              - id: emit
                uses: test/emit
                with: { rows: 100 }
              - id: copy
                uses: test/copy
                needs: [emit]
            """)
        #expect(try pipeline.run(["--partition", "2026-11-20"]).exitCode == 0)
        let part = pipeline.checkpoint("emit", "2026-11-20").appendingPathComponent("part-00000.ndjson.gz")
        try Data("not gzip at all".utf8).write(to: part)

        let failed = try pipeline.run(["--partition", "2026-11-20", "--select", "copy", "--log-format", "text"])
        #expect(failed.exitCode == 1, "\(failed.stderr)")
        let failure = try #require(failed.stderrLines.last { $0.contains("to resume: ") })
        let resume = try #require(failure.range(of: "to resume: ").map { String(failure[$0.upperBound...]) })
        #expect(resume.contains("--select emit+"), "\(resume)")

        let words = resume.split(separator: " ").dropFirst().map(String.init)
        let resumed = try ChainETLProcess.run(words + ["--log-format", "text"], environment: pipeline.environment)
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(resumed.stderrLines.last!.contains("2 stages ok"), "\(resumed.stderr)")
    }
}

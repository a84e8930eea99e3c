import ChainETLCore
import ChainETLPostgres
import Foundation
import Logging
import Testing

/// `chainetl run`, `validate` and `migrate` as a user types them.
@Suite("chainetl run (binary)")
struct RunCommandTests {
    static let chain = """
        stages:
          - id: emit
            uses: test/emit
            with: { rows: 1000 }
          - id: copy
            uses: test/copy
            needs: [emit]
        """

    @Test func aRunSucceedsThenSkipsWithASummaryLast() throws {
        let pipeline = try E2EPipeline(Self.chain)
        let first = try pipeline.run(["--partition", "2026-11-20", "--log-format", "json"])
        #expect(first.exitCode == 0, "\(first.stderr)")
        let summary = try first.lastLineJSON()
        #expect(summary["msg"] as? String == "run summary")
        let text = try #require(summary["summary"] as? String)
        #expect(text.contains(": 2 stages ok, 0 skipped, 0 failed, 1 partition"))
        let runID = try #require(summary["run.id"] as? String)
        #expect(
            FileManager.default.fileExists(atPath: pipeline.workdir.appendingPathComponent("runs/\(runID).json").path))
        // Every stderr line is JSON when stderr is not a terminal.
        for line in first.stderrLines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "\(line)")
        }

        let second = try pipeline.run(["--partition", "2026-11-20", "--log-format", "text"])
        #expect(second.exitCode == 0)
        let last = try #require(second.stderrLines.last)
        #expect(last.hasPrefix("run "))
        #expect(last.contains(": 0 stages ok, 2 skipped, 0 failed, 1 partition"))
        #expect(last.contains("; report "))
    }

    @Test func aFailureSaysWhatFailedAndTheResumeCommandWorks() throws {
        let pipeline = try E2EPipeline(
            """
            stages:
              - id: flaky
                uses: test/emit
                with:
                  rows: 100
                  fail_after: ${FLAKY_FAIL_AFTER:-1000000}
              - id: copy
                uses: test/copy
                needs: [flaky]
            """)
        let failed = try pipeline.run(
            ["--partition", "2026-11-20", "--log-format", "text"], environment: ["FLAKY_FAIL_AFTER": "7"])
        #expect(failed.exitCode == 1)
        let lines = failed.stderrLines
        #expect(lines.count >= 2)
        let failure = try #require(lines.dropLast().last)
        #expect(failure.hasPrefix("error: stage flaky failed for partition 2026-11-20"))
        #expect(failure.contains("after 7 rows"))
        let resume = try #require(failure.range(of: "to resume: ").map { String(failure[$0.upperBound...]) })
        #expect(resume.hasPrefix("chainetl run "))
        #expect(resume.contains("--partition 2026-11-20 --select failed"))
        #expect(lines.last!.contains("0 stages ok, 0 skipped, 1 failed, 1 blocked"))

        // Type the resume command as printed (minus the program name).
        let words = resume.split(separator: " ").dropFirst().map(String.init)
        let resumed = try ChainETLProcess.run(words + ["--log-format", "text"], environment: pipeline.environment)
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(resumed.stderrLines.last!.contains("2 stages ok, 0 skipped, 0 failed"))
    }

    @Test func twoRunnersOnOnePartitionTheSecondExitsThreeNamingTheHolder() throws {
        let pipeline = try E2EPipeline(
            """
            stages:
              - id: hold
                uses: test/sleep
                with: { ms: 4000 }
            """)
        let first = try pipeline.start(["--partition", "2026-11-20", "--log-format", "json"])
        #expect(ChainETLProcess.waitUntil(seconds: 30) { first.stderrSoFar.contains("\"msg\":\"stage started\"") })
        let started = first.stderrSoFar.split(separator: "\n").first { $0.contains("\"msg\":\"stage started\"") }
        let startedLine = try #require(started)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(startedLine.utf8)) as? [String: Any])
        let holderRun = try #require(object["run.id"] as? String)

        let second = try pipeline.run(["--partition", "2026-11-20", "--log-format", "text"])
        #expect(second.exitCode == 3)
        #expect(
            second.stderr.contains(
                "partition 2026-11-20 of pipeline \(pipeline.name) is locked by run \(holderRun) (pid \(first.process.processIdentifier))"
            ))
        #expect(second.stderrLines.last!.contains("1 partitions locked"))

        let firstOutput = try first.wait()
        #expect(firstOutput.exitCode == 0)
    }

    @Test func killedMidCheckpointTheRerunWritesItAgain() throws {
        let rows = 500_000
        let pipeline = try E2EPipeline(
            """
            stages:
              - id: emit
                uses: test/emit
                with: { rows: \(rows) }
              - id: copy
                uses: test/copy
                needs: [emit]
            """)
        let partitionDirectory = pipeline.checkpoint("emit", "2026-11-20").deletingLastPathComponent()
        let running = try pipeline.start(["--partition", "2026-11-20"])
        // Wait until emit is writing its temporary checkpoint, then kill -9.
        let writing = ChainETLProcess.waitUntil(seconds: 60) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: partitionDirectory.path)) ?? []
            guard let temporary = names.first(where: { $0.hasPrefix("emit.tmp-") }) else { return false }
            let part = partitionDirectory.appendingPathComponent("\(temporary)/part-00000.ndjson.gz").path
            let size = (try? FileManager.default.attributesOfItem(atPath: part)[.size] as? Int) ?? 0
            return size > 0
        }
        #expect(writing)
        kill(running.process.processIdentifier, SIGKILL)
        _ = try running.wait()
        #expect(running.process.terminationReason == .uncaughtSignal)
        #expect(running.process.terminationStatus == SIGKILL)
        // Nothing half-written became a checkpoint.
        #expect(!FileManager.default.fileExists(atPath: pipeline.checkpoint("emit", "2026-11-20").path))
        #expect(!FileManager.default.fileExists(atPath: pipeline.checkpoint("copy", "2026-11-20").path))

        let rerun = try pipeline.run(["--partition", "2026-11-20", "--log-format", "json"])
        #expect(rerun.exitCode == 0, "\(rerun.stderr.suffix(2000))")
        let emitStart = rerun.stderrLines.first {
            $0.contains("\"msg\":\"stage started\"") && $0.contains("\"stage.id\":\"emit\"")
        }
        #expect(emitStart?.contains("\"reason\":\"no checkpoint yet\"") == true)
        let names = try FileManager.default.contentsOfDirectory(atPath: partitionDirectory.path)
        #expect(!names.contains { $0.contains(".tmp-") })

        // The copy read every line of a complete emit checkpoint.
        let manifestData = try Data(
            contentsOf: pipeline.checkpoint("copy", "2026-11-20").appendingPathComponent("_manifest.json"))
        let manifest = try JSONDecoder().decode(CheckpointManifest.self, from: manifestData)
        #expect(manifest.counts.rowsOut == rows)
        #expect(manifest.totalRows == rows)
    }

    @Test func anInterruptedBackfillResumesWithoutRepeatingCompletedWork() throws {
        let pipeline = try E2EPipeline(
            """
            stages:
              - id: emit
                uses: test/emit
                with: { rows: 20000 }
              - id: copy
                uses: test/copy
                needs: [emit]
            """)
        let range = ["--from", "2026-10-01", "--to", "2026-10-10", "--jobs", "2"]
        let running = try pipeline.start(range)
        // Kill -9 once the ledger shows a few units complete and others are still to do. The ledger
        // row is written just after a checkpoint's rename, so waiting on files would race it.
        let probe = try PostgresConnection.connect(
            url: pipeline.databaseURL, applicationName: "e2e-probe", logger: Logger(label: "e2e"))
        defer { probe.close() }
        let someDone = ChainETLProcess.waitUntil(seconds: 120) {
            guard
                let rows = try? probe.execute(
                    SQLQuery(
                        "SELECT count(*) FROM etl_stage_runs WHERE pipeline = $1 AND status = 'succeeded'",
                        [pipeline.name])),
                let done = try? rows.int(row: 0, column: 0)
            else { return false }
            return done >= 6
        }
        #expect(someDone)
        kill(running.process.processIdentifier, SIGKILL)
        _ = try running.wait()
        // The server notices the killed sessions a moment later; then the run's lock is free.
        let killedRows = try probe.execute(SQLQuery("SELECT id FROM etl_runs WHERE pipeline = $1", [pipeline.name]))
        try #require(killedRows.count == 1)
        let killedRun = try #require(killedRows.value(row: 0, column: 0))
        #expect(
            ChainETLProcess.waitUntil(seconds: 60) {
                let rows = try? probe.execute(
                    SQLQuery(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE $1",
                        ["chainetl run \(killedRun)%"]))
                return (try? rows?.int(row: 0, column: 0)) == 0
            })

        let resumed = try pipeline.run(range + ["--log-format", "json"])
        #expect(resumed.exitCode == 0, "\(resumed.stderr.suffix(2000))")

        let connection = try PostgresConnection.connect(
            url: pipeline.databaseURL, applicationName: "e2e", logger: Logger(label: "e2e"))
        defer { connection.close() }
        let runs = try connection.execute(
            SQLQuery("SELECT id, status FROM etl_runs WHERE pipeline = $1 ORDER BY started_at", [pipeline.name]))
        #expect(runs.count == 2)
        #expect(runs.value(row: 0, column: 1) == "interrupted")  // killed: marked by the next run
        #expect(runs.value(row: 1, column: 1) == "succeeded")
        let units = try connection.execute(
            SQLQuery(
                """
                SELECT run_id, stage || '@' || partition::text, status FROM etl_stage_runs
                WHERE pipeline = $1 ORDER BY started_at
                """, [pipeline.name]))
        var firstRunDone: Set<String> = []
        var secondRunRan: Set<String> = []
        var secondRunAll: Set<String> = []
        for row in 0..<units.count {
            let unit = units.value(row: row, column: 1)!
            let status = units.value(row: row, column: 2)!
            if units.value(row: row, column: 0) == runs.value(row: 0, column: 0) {
                if status == "succeeded" { firstRunDone.insert(unit) }
            } else {
                secondRunAll.insert(unit)
                if status == "succeeded" { secondRunRan.insert(unit) }
            }
        }
        #expect(firstRunDone.count >= 6)
        #expect(secondRunAll.count == 20)
        #expect(firstRunDone.isDisjoint(with: secondRunRan), "completed work was repeated")
        #expect(!secondRunRan.isEmpty)
        for day in 1...10 {
            let manifestURL = pipeline.checkpoint("copy", String(format: "2026-10-%02d", day))
                .appendingPathComponent("_manifest.json")
            let manifest = try JSONDecoder().decode(CheckpointManifest.self, from: Data(contentsOf: manifestURL))
            #expect(manifest.counts.rowsOut == 20000)
        }
    }

    @Test func usageErrorsExitTwo() throws {
        let pipeline = try E2EPipeline(Self.chain)
        let badDay = try pipeline.run(["--partition", "2026-02-30"])
        #expect(badDay.exitCode == 2)
        #expect(badDay.stderr.contains("2026-02-30 is not a date"))
        let badSelect = try pipeline.run(["--partition", "2026-11-20", "--select", "cpoy", "--log-format", "text"])
        #expect(badSelect.exitCode == 2)
        #expect(badSelect.stderr.contains("did you mean 'copy'?"))
        #expect(badSelect.stderrLines.last!.contains("not started"))
    }

    @Test func dryRunPrintsThePlanOnStdout() throws {
        let pipeline = try E2EPipeline(Self.chain)
        let plan = try pipeline.run(["--from", "2026-11-19", "--to", "2026-11-20", "--dry-run"])
        #expect(plan.exitCode == 0)
        let lines = plan.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("run  2026-11-19 emit"))
        #expect(lines[3].hasPrefix("run  2026-11-20 copy"))
        #expect(!FileManager.default.fileExists(atPath: pipeline.workdir.appendingPathComponent("runs").path))
    }

    @Test func theShippedTestPipelineMigratesWithTheBuiltInMigrations() throws {
        // No CHAINETL_SCHEMAS: the runner applies the migrations built into the binary.
        let workdir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chainetl-e2e-shipped-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: workdir) }
        let databaseURL = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"])
        let file = ChainETLProcess.packageRoot.appendingPathComponent("pipelines/tests/chain.yaml").path
        let output = try ChainETLProcess.run(
            [
                "run", file, "--partition", "2001-01-01", "--workdir", workdir.path, "--database-url", databaseURL,
                "--force",
            ],
            environment: ["CHAINETL_SCHEMAS": ""])
        #expect(output.exitCode == 0, "\(output.stderr)")
        #expect(!output.stderr.contains(databaseURL))
    }
}

@Suite("chainetl validate and migrate (binary)")
struct ValidateMigrateCommandTests {
    @Test func validateAcceptsAGoodFileAndLocatesEveryProblem() throws {
        let good = try E2EPipeline(RunCommandTests.chain)
        let ok = try ChainETLProcess.run(
            ["validate", good.file.path], environment: ["DATABASE_URL": "postgresql://nowhere:1/x"])
        #expect(ok.exitCode == 0)
        #expect(ok.stdout.contains("ok: "))

        let bad = try E2EPipeline(
            """
            stages:
              - id: a
                uses: test/emit
                with: { rows: lots }
              - id: b
                uses: test/unknown
                needs: [a]
              - id: c
                uses: test/copy
                needs: [missing]
            """)
        let problems = try ChainETLProcess.run(["validate", bad.file.path])
        #expect(problems.exitCode == 2)
        let name = bad.file.lastPathComponent
        #expect(problems.stderr.contains("\(name):6:"))
        #expect(problems.stderr.contains("\(name):8:"))
        #expect(problems.stderr.contains("\(name):12:"))
        #expect(problems.stderr.contains("hint:"))
    }

    @Test func migrateAppliesOrSaysUpToDate() throws {
        let databaseURL = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"])
        let output = try ChainETLProcess.run(
            ["migrate", "--database-url", databaseURL, "--log-format", "text"], directory: ChainETLProcess.packageRoot)
        #expect(output.exitCode == 0, "\(output.stderr)")
        #expect(output.stderrLines.last?.hasPrefix("migrate: ") == true)

        let connection = try PostgresConnection.connect(
            url: databaseURL, applicationName: "e2e", logger: Logger(label: "e2e"))
        defer { connection.close() }
        let rows = try connection.execute(
            SQLQuery("SELECT count(*) FROM schema_migrations WHERE name = '0001_ledger.sql'"))
        #expect(try rows.int(row: 0, column: 0) == 1)
    }

    @Test func migrateWithoutADatabaseFailsClearly() throws {
        let output = try ChainETLProcess.run(
            [
                "migrate", "--database-url", "postgresql://nobody:s3cret@127.0.0.1:1/none?connect_timeout=2",
                "--log-format", "text",
            ],
            directory: ChainETLProcess.packageRoot)
        #expect(output.exitCode == 1)
        #expect(output.stderr.contains("cannot apply the migrations"))
        #expect(!output.stderr.contains("s3cret"))
    }
}

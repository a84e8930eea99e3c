import ChainETLCore
import ChainETLExplorers
import ChainETLPostgres
import ChainETLStages
import Foundation
import Logging

/// Runs a pipeline over its partitions: plan, migrate, lock, execute on worker threads, record
/// the ledger, write the report, and print the closing lines.
public final class PipelineRunner {
    private let request: RunRequest
    private let registry: StageRegistry
    private let environment: [String: String]
    private let logger: Logger
    private let console: RunConsole
    private let now: Date
    /// Replaces `write(2)` for the run report (tests inject a full disk).
    var reportWriteBytes: AtomicFile.WriteFunction?
    /// The signal handling of a `--claim` worker, shared by the runs it makes (one per partition).
    var sharedSignals: SignalTrap?

    /// - Parameters:
    ///   - environment: read for `${VAR}` interpolation and `CHAINETL_SCHEMAS`.
    ///   - console: where plans (stdout) and the closing lines (stderr) go.
    public init(
        request: RunRequest, registry: StageRegistry = .standard,
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger, console: RunConsole,
        now: Date = Date()
    ) {
        self.request = request
        self.registry = registry
        self.environment = environment
        self.logger = logger
        self.console = console
        self.now = now
    }

    /// Does the whole run; never throws: every failure becomes a status, a message and a summary.
    public func run() -> RunResult {
        let runID = Self.makeRunID(now: now)
        let clock = ContinuousClock.now
        var logger = self.logger
        logger[metadataKey: "run.id"] = "\(runID)"
        let signals = sharedSignals ?? (request.trapsSignals ? SignalTrap(flag: .process, logger: logger) : nil)

        let planner: RunPlanner
        do {
            planner = try makePlanner()
        } catch {
            return notStarted(runID: runID, error: error)
        }
        if request.dryRun { return dryRun(planner, runID: runID, logger: logger) }

        let ledger: RunLedger
        let marks: RunPlanner.Marks
        do {
            (ledger, marks) = try openLedger(planner, runID: runID, logger: logger)
        } catch {
            return notStarted(runID: runID, error: error)
        }
        defer { ledger.close() }

        // `--select failed` is resolved per partition from the ledger.
        let plan: RunPlan
        do {
            plan = try planner.plan(days: marks.days, failedStages: { try ledger.failedStages(partition: $0) })
        } catch {
            try? ledger.finish(status: .failed)
            return notStarted(runID: runID, error: error)
        }

        let execution = execute(
            plan, days: marks.days, refetchMarks: marks.marks, ledger: ledger, runID: runID, signals: signals,
            logger: logger)
        return finish(execution, plan: plan, ledger: ledger, runID: runID, clock: clock, logger: logger)
    }

    // MARK: - Steps

    /// Loads the pipeline, refuses an open day (unless `--allow-open`), builds the stages and
    /// checks `--select`: everything that can be wrong before the database is touched.
    private func makePlanner() throws -> RunPlanner {
        let planner = try RunPlanner(
            RunPlanner.Request(
                pipelineFile: request.pipelineFile, partitions: request.partitions, selections: request.selections,
                force: request.force, databaseURL: request.databaseURL),
            registry: registry, environment: environment, now: now)
        if !request.allowOpen { try planner.refuseOpenDays(planner.requestedDays) }
        try planner.prepare()
        return planner
    }

    /// `--dry-run`: prints what each unit would do, from the checkpoints on disk, and touches nothing.
    private func dryRun(_ planner: RunPlanner, runID: String, logger: Logger) -> RunResult {
        if planner.selectsFailed {
            return notStarted(
                runID: runID,
                error: RunnerError.usage(
                    "--select failed reads the run ledger in PostgreSQL, which --dry-run never touches; "
                        + "drop --dry-run, or see 'chainetl status' for the failed stages"))
        }
        // The marked days the run would add, read (only read) from etl_refetch when reachable.
        let preview = planner.previewMarks(days: planner.requestedDays, logger: logger)
        let plan: RunPlan
        do {
            plan = try planner.plan(days: preview.days)
        } catch {
            return notStarted(runID: runID, error: error)
        }
        let days = preview.days
        for note in preview.notes { console.printPlan(note) }
        let lines = DryRunPlanner(
            plan: plan, workdir: request.workdir, force: request.force, refetchPartitions: preview.marked
        ).lines()
        for line in lines { console.printPlan(line) }
        let runs = lines.filter { $0.hasPrefix("run ") }.count
        let summary =
            "dry run: \(runs) units would run, \(lines.count - runs) would skip, \(days.count) "
            + (days.count == 1 ? "partition" : "partitions") + "; nothing was executed"
        console.closing(summary: summary, failures: [], resume: nil, runID: runID, status: .succeeded)
        return RunResult(status: .succeeded, report: nil, reportURL: nil, summary: summary)
    }

    /// The database: ledger connection, migrations, runs whose process is gone, the refetch marks
    /// (which may add days), and this run's row in `etl_runs`.
    private func openLedger(
        _ planner: RunPlanner, runID: String, logger: Logger
    ) throws -> (RunLedger, RunPlanner.Marks) {
        let migrator = try MigrationSource.migrator(environment: environment)
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(
                url: request.databaseURL, applicationName: "chainetl run \(runID) ledger", logger: logger)
        } catch {
            throw RunnerError.database(action: "connect to PostgreSQL", underlying: error)
        }
        do {
            let applied = try migrator.migrate(connection)
            if !applied.isEmpty {
                logger.info("migrations applied", metadata: ["migrations": "\(applied.joined(separator: ","))"])
            }
        } catch {
            connection.close()
            throw RunnerError.database(action: "apply \(migrator.origin)", underlying: error)
        }
        do {
            try StaleRuns.markInterrupted(on: connection, logger: logger)
        } catch {
            connection.close()
            throw RunnerError.database(action: "mark the runs whose process is gone in etl_runs", underlying: error)
        }
        let marks: RunPlanner.Marks
        do {
            marks = try planner.openMarks(days: planner.requestedDays, on: connection)
            if planner.servesEarlierMarks { logScheduledMarks(marks, logger: logger) }
        } catch {
            connection.close()
            throw RunnerError.database(action: "read the refetch marks in etl_refetch", underlying: error)
        }
        let ledger = RunLedger(connection: connection, runID: runID, pipeline: planner.pipeline.name, logger: logger)
        do {
            try ledger.begin(partitions: marks.days, arguments: request.arguments)
        } catch {
            ledger.close()
            throw RunnerError.database(action: "record the run in etl_runs", underlying: error)
        }
        return (ledger, marks)
    }

    /// What the scheduling passes did, for the report.
    private struct Execution {
        /// Every unit's report, in plan order, the follow-up passes' after the first pass's.
        var units: [UnitReport]
        /// The run's days, with those its reorg checks added.
        var days: [PartitionDay]
        /// The refetch marks the run served: the open marks it started with, and those its own
        /// reorg checks set (reloaded in follow-up passes), with the units of those reloads.
        var refetchMarks: [PartitionDay: [Int]]
        var reloaded: [PartitionDay: [Int]]
        var reloadUnits: [UnitReport]
        var stopSignal: Int32?
        /// One line per partition another run held locked.
        var lockMessages: [String]
        var events: RunEventCollector
        var services: ExtractionServices
        var rateUsageBefore: RateLimiterRegistry.UsageSnapshot
    }

    /// Runs the plan's units on worker threads, then the follow-up passes that reload the days this
    /// run's reorg checks marked.
    private func execute(
        _ runPlan: RunPlan, days: [PartitionDay], refetchMarks: [PartitionDay: [Int]], ledger: RunLedger,
        runID: String, signals: SignalTrap?, logger: Logger
    ) -> Execution {
        let services = ExtractionServices(
            databaseURL: request.databaseURL, sharedRateBudget: request.sharedRateBudget, logger: logger)
        // Calls per key are measured from here: the process may already have used a key.
        let rateUsageBefore = services.rateLimiters.snapshot()
        let events = RunEventCollector(logger: logger, ledger: ledger)
        let progress = ProgressBoard(output: console.output, logger: logger)
        let executor = UnitExecutor(
            plan: runPlan,
            environment: .init(
                runID: runID, workdir: request.workdir, databaseURL: request.databaseURL,
                options: StageOptions(
                    allowOpen: request.allowOpen, force: request.force, dryRun: false, refetch: request.refetch),
                logger: logger, events: events, progress: progress,
                services: services, ledger: ledger,
                refetchPartitions: Set(refetchMarks.keys), diffExampleLimit: request.diffExampleLimit))
        let locks = PartitionLocks(
            pipeline: runPlan.pipeline.name, runID: runID, databaseURL: request.databaseURL, logger: logger)
        let lockErrors = LockErrors()
        let lockLogger = logger

        logger.info(
            "run started",
            metadata: [
                "pipeline": "\(runPlan.pipeline.name)", "partitions.count": "\(days.count)",
                "units.count": "\(runPlan.unitCount)", "jobs": "\(request.jobs)",
                "extract_jobs": "\(request.extractJobs)",
            ])
        // One scheduling pass over `partitions`; returns the reports of its units, in plan order.
        let stopped = StopFlag()
        let jobs = request.jobs
        let extractJobs = request.extractJobs
        let runPass = { (partitions: [(partition: PartitionDay, stages: [String])]) -> [UnitReport] in
            let machine = SchedulerStateMachine(
                plan: partitions, needs: runPlan.needs, jobs: jobs, locking: true,
                extractStages: runPlan.explorerExtractStages, extractJobs: extractJobs,
                dayOrderedStages: runPlan.dayOrderedStages)
            let pool = WorkerPool(
                machine: machine, threads: machine.capacity,
                handlers: .init(
                    acquireLock: { day in
                        do {
                            return try locks.acquire(day) ? .acquired : .refused
                        } catch {
                            lockErrors.set(day, "\(error)")
                            lockLogger.error(
                                "partition lock failed", metadata: ["partition": "\(day)", "error": "\(error)"])
                            return .failed
                        }
                    },
                    execute: { executor.execute($0) },
                    releaseLock: { locks.release($0) }))
            // The first stop signal stops the scheduling; `onCancel` runs at once if it came earlier.
            if signals != nil { CancellationFlag.process.onCancel { pool.interrupt() } }
            let finalMachine = pool.run()
            if finalMachine.units.contains(where: { $0.state == .interrupted }) { stopped.set() }
            // Units that never ran: blocked, locked, or failed because their lock could not be asked for.
            for (unit, state) in finalMachine.units where executor.unitReports[unit] == nil {
                if state == .failed, let message = lockErrors.get(unit.partition) {
                    executor.recordLockFailure(unit, error: message)
                } else {
                    executor.recordNotRun(unit, state: state)
                }
            }
            let reports = executor.unitReports
            return finalMachine.units.compactMap { reports[$0.unit] }
        }
        var execution = Execution(
            units: runPass(runPlan.partitions), days: days, refetchMarks: refetchMarks, reloaded: [:],
            reloadUnits: [], stopSignal: nil, lockMessages: [], events: events, services: services,
            rateUsageBefore: rateUsageBefore)
        // A reorg found by this run is repaired by this run: follow-up passes (docs/runner.md, "Reorgs").
        if signals?.receivedSignal == nil && !stopped.isSet && !runPlan.selectionNamesStages {
            let followUp = reloadReorgMarkedDays(
                runPlan: runPlan, runID: runID, days: days, executor: executor, logger: logger,
                runPass: runPass, stopped: { signals?.receivedSignal != nil || stopped.isSet })
            execution.units += followUp.units
            execution.reloaded = followUp.marks
            execution.reloadUnits = followUp.reloadUnits
            execution.days = Array(Set(days).union(followUp.marks.keys)).sorted()
        }
        execution.stopSignal = signals?.receivedSignal

        for (day, holder) in locks.refused.sorted(by: { $0.key < $1.key }) {
            let message = PartitionLocks.message(pipeline: runPlan.pipeline.name, partition: day, holder: holder)
            execution.lockMessages.append(message)
            ledger.recordEvent(
                StageEvent(
                    stageID: "", partition: day, kind: "lock", message: "partition locked by another run",
                    details: ["holder.run": holder.runID ?? "", "holder.pid": holder.pid.map(String.init) ?? ""]),
                level: "warning")
        }
        return execution
    }

    /// The report: status and exit code, key usage, the resume command; clears the refetch marks
    /// of the partitions reloaded, writes the JSON report, finishes the ledger row, writes the HTML
    /// page and the metrics file, and prints the closing lines.
    private func finish(
        _ execution: Execution, plan runPlan: RunPlan, ledger: RunLedger, runID: String,
        clock: ContinuousClock.Instant, logger: Logger
    ) -> RunResult {
        var report = RunReport(
            runID: runID, pipeline: runPlan.pipeline.name, pipelineFile: request.pipelineFile.path,
            arguments: request.arguments, startedAt: now, partitions: execution.days)
        report.units = execution.units
        // The registry is process-wide: another run in this process may use other keys meanwhile,
        // so only the keys of this pipeline's chains are this run's.
        let services = execution.services
        let ownKeys = Set(
            runPlan.pipeline.chains.compactMap {
                try? ChainExplorerAccess(chain: $0, environment: services.environment).fingerprint.value
            })
        let keyUsage = services.rateLimiters.usage(since: execution.rateUsageBefore).filter {
            ownKeys.contains($0.fingerprint)
        }
        report.apiKeys = keyUsage.isEmpty ? nil : keyUsage
        report.extractCalls = ExtractCallTally(units: report.units)
        for key in keyUsage {
            logger.info(
                "api key usage",
                metadata: [
                    "key.fingerprint": "\(key.fingerprint)", "calls.count": "\(key.calls)",
                    "span.ms": "\(Int((key.spanSeconds * 1_000).rounded()))",
                    "rate.configured": "\(key.configuredRatePerSecond)",
                    "rate.achieved": "\(key.achievedRatePerSecond.map { String(format: "%.3f", $0) } ?? "n/a")",
                    "throttles.count": "\(key.throttles)",
                ])
        }
        clearRefetchMarks(execution.refetchMarks, units: report.units, plan: runPlan, runID: runID, logger: logger)
        clearRefetchMarks(
            execution.reloaded, units: execution.reloadUnits, plan: runPlan, runID: runID, includingThisRun: true,
            logger: logger)
        report.events = execution.events.events
        report.finishedAt = Date()
        report.status =
            report.count(.failed) > 0 ? .failed : (report.count(.locked) > 0 ? .locked : .succeeded)
        report.exitCode = report.status.exitCode
        if let stopSignal = execution.stopSignal {
            report.status = .interrupted
            report.exitCode = SignalTrap.exitCode(for: stopSignal)
        }
        report.resumeCommand = RunSummary.resumeCommand(
            report, request: request, displayedPipelinePath: displayedPipelinePath,
            ledgerIncomplete: ledger.lostWrites)

        let elapsed =
            Double((ContinuousClock.now - clock).components.seconds)
            + Double((ContinuousClock.now - clock).components.attoseconds) / 1e18
        let written = writeReport(&report, runID: runID, elapsed: elapsed, logger: logger)
        do {
            try ledger.finish(status: report.status)
        } catch {
            logger.error("run status not recorded in the ledger", metadata: ["error": "\(error)"])
        }
        publish(report, plan: runPlan, ledger: ledger, logger: logger)
        let failures =
            RunSummary.failureLines(report, stopSignal: execution.stopSignal.map(SignalTrap.name(of:)))
            + execution.lockMessages + (written.problem.map { ["run report not written: \($0)"] } ?? [])
        console.closing(
            summary: report.summary, failures: failures, resume: report.resumeCommand, runID: runID,
            status: report.status, exitCode: report.exitCode)
        return RunResult(
            status: report.status, report: report, reportURL: written.url, summary: report.summary,
            exitCode: report.exitCode)
    }

    /// Writes `<workdir>/runs/<run-id>.json` and sets the summary line. A report that cannot be
    /// written fails a run that succeeded, and the summary says why there is none.
    private func writeReport(
        _ report: inout RunReport, runID: String, elapsed: Double, logger: Logger
    ) -> (url: URL?, problem: String?) {
        let writer = RunReportWriter(workdir: request.workdir, writeBytes: reportWriteBytes)
        report.summary = RunSummary.line(report, reportPath: relativePath(writer.url(for: runID)), elapsed: elapsed)
        do {
            return (try writer.write(report), nil)
        } catch {
            // The summary must not name a report that does not exist: it says why there is none.
            logger.error("run report not written", metadata: ["error": "\(error)"])
            if report.status == .succeeded {
                report.status = .failed
                report.exitCode = report.status.exitCode
            }
            report.summary = RunSummary.line(
                report, reportPath: nil, elapsed: elapsed,
                reportProblem: (error as? OperationsError).map(RunSummary.shortReason) ?? "\(error)")
            return (nil, "\(error)")
        }
    }

    /// The HTML report page and, with `--metrics-file`, the Prometheus textfile; failures are logged.
    private func publish(_ report: RunReport, plan runPlan: RunPlan, ledger: RunLedger, logger: Logger) {
        ledger.withConnection { connection in
            _ = RunReportPage.write(
                report: report, workdir: request.workdir, connection: connection, logger: logger,
                chainIDs: runPlan.pipeline.chains.map(\.chainID), lowDayShare: request.lowDayShare)
        }
        if let metricsFile = request.metricsFile {
            do {
                let metrics = ledger.withConnection { connection in
                    PipelineMetrics(
                        report: report, pipeline: runPlan.pipeline, connection: connection,
                        environment: environment, logger: logger)
                }
                try TextfileMetrics.write(path: metricsFile, metrics: metrics)
            } catch {
                logger.error(
                    "metrics file not written", metadata: ["path": "\(metricsFile.path)", "error": "\(error)"])
            }
        }
    }

    /// Says which marked partitions a scheduled run added, and which older ones it left open.
    private func logScheduledMarks(_ scheduled: RunPlanner.Marks, logger: Logger) {
        let yesterday = PartitionDay.yesterday(now: now)
        let added = scheduled.marks.keys.filter { $0 != yesterday }.sorted()
        if !added.isEmpty {
            logger.info(
                "refetch marks add partitions",
                metadata: ["partitions": "\(added.map(\.description).joined(separator: ","))"])
        }
        if let first = scheduled.leftOut.first, let last = scheduled.leftOut.last {
            logger.warning(
                "older refetch marks left open",
                metadata: [
                    "partitions.count": "\(scheduled.leftOut.count)",
                    "limit": "\(RefetchMarks.scheduledRunLimit)",
                    "hint": "serve them with: chainetl run \(displayedPipelinePath) --from \(first) --to \(last)",
                ])
        }
    }

    /// Clears the `etl_refetch` marks of the partitions this run reloaded; a failure is logged only
    /// (the marks stay, so the next run refetches again).
    private func clearRefetchMarks(
        _ marks: [PartitionDay: [Int]], units: [UnitReport], plan: RunPlan, runID: String,
        includingThisRun: Bool = false, logger: Logger
    ) {
        let ids = marks.filter { RefetchMarks.reloaded($0.key, units: units, stages: plan.stages) }.flatMap(\.value)
        guard !ids.isEmpty else { return }
        do {
            let connection = try PostgresConnection.connect(
                url: request.databaseURL, applicationName: "chainetl run \(runID) refetch", logger: logger)
            defer { connection.close() }
            let cleared = try RefetchMarks.clear(
                ids: ids, runID: runID, includingThisRun: includingThisRun, on: connection)
            logger.info("refetch marks cleared", metadata: ["refetch.cleared": "\(cleared)"])
        } catch {
            logger.error("refetch marks not cleared", metadata: ["error": "\(error)"])
        }
    }

    /// Reloads, in this run, the closed days this run's reorg checks marked: one follow-up pass
    /// runs every planned stage of the marked days (extracts forced by the marks), then one pass
    /// reruns the history stages (`RunPlan.historyStages`: aggregates, exports) of the run's later
    /// days, whose holder balances and rolling summaries include the reloaded days. A reloaded day's
    /// own reorg check may mark the day before it: repeated, at most `scheduledRunLimit` days.
    /// Returns the follow-up units, the marks served, and the units of the reloaded days alone.
    private func reloadReorgMarkedDays(
        runPlan: RunPlan, runID: String, days: [PartitionDay], executor: UnitExecutor, logger: Logger,
        runPass: ([(partition: PartitionDay, stages: [String])]) -> [UnitReport], stopped: () -> Bool
    ) -> (units: [UnitReport], marks: [PartitionDay: [Int]], reloadUnits: [UnitReport]) {
        var units: [UnitReport] = []
        var served: [PartitionDay: [Int]] = [:]
        var reloadUnits: [UnitReport] = []
        let planned = Dictionary(runPlan.partitions.map { ($0.partition, $0.stages) }, uniquingKeysWith: { $1 })
        let history = runPlan.historyStages
        var covered = Set(days)
        while served.count < RefetchMarks.scheduledRunLimit, !stopped() {
            let marks: [PartitionDay: [Int]]
            do {
                let connection = try PostgresConnection.connect(
                    url: request.databaseURL, applicationName: "chainetl run \(runID) reorg", logger: logger)
                defer { connection.close() }
                marks = try RefetchMarks.openReorgMarks(
                    pipeline: runPlan.pipeline.name, runID: runID, today: PartitionDay(containing: now),
                    on: connection
                ).filter { served[$0.key] == nil }
            } catch {
                logger.error(
                    "reorg marks not read; the next run reloads the marked days", metadata: ["error": "\(error)"])
                break
            }
            let newDays = Array(marks.keys.sorted().suffix(RefetchMarks.scheduledRunLimit - served.count))
            guard let earliest = newDays.first else { break }
            for day in newDays { served[day] = marks[day] }
            logger.info(
                "reorg: reloading marked partitions in this run",
                metadata: ["partitions": "\(newDays.map(\.description).joined(separator: ","))"])
            // The marked days: every stage (a run that names stages has no follow-up passes).
            let stagesOfNewDays = runPlan.graph.order
            let reloadPlan = newDays.map { (partition: $0, stages: planned[$0] ?? stagesOfNewDays) }
            executor.addRefetch(newDays)
            executor.forget(
                reloadPlan.flatMap { entry in entry.stages.map { WorkUnit(partition: entry.partition, stageID: $0) } })
            let reloadReports = runPass(reloadPlan)
            units += reloadReports
            reloadUnits += reloadReports
            covered.formUnion(newDays)
            if stopped() { break }
            // The later days' history stages see the reloaded days only when they run again.
            let later = covered.filter { $0 > earliest && !newDays.contains($0) }.sorted()
            let rerunPlan = later.compactMap { day -> (partition: PartitionDay, stages: [String])? in
                let stages = (planned[day] ?? stagesOfNewDays).filter { history.contains($0) }
                return stages.isEmpty ? nil : (day, stages)
            }
            guard !rerunPlan.isEmpty else { continue }
            executor.force(
                rerunPlan.flatMap { entry in entry.stages.map { WorkUnit(partition: entry.partition, stageID: $0) } },
                reason: RefetchMarks.historyRerunReason(reloaded: newDays))
            units += runPass(rerunPlan)
        }
        return (units, served, reloadUnits)
    }

    private func notStarted(runID: String, error: any Error) -> RunResult {
        let status: RunStatus
        let detail: String
        if let runnerError = error as? RunnerError {
            status = runnerError.exitCode == 2 ? .invalid : .failed
            if case .invalidPipeline(let diagnostics) = runnerError {
                for diagnostic in diagnostics.diagnostics { console.diagnostic(diagnostic) }
                let count = diagnostics.diagnostics.count
                detail = "\(count) " + (count == 1 ? "problem" : "problems") + " in \(displayedPipelinePath)"
            } else {
                console.error(runnerError.description)
                detail = runnerError.exitCode == 2 ? "invalid arguments" : "cannot start"
            }
        } else {
            status = .failed
            console.error("\(error)")
            detail = "cannot start"
        }
        let summary = "run \(runID): not started (\(detail)); nothing ran"
        console.closing(summary: summary, failures: [], resume: nil, runID: runID, status: status)
        return RunResult(status: status, report: nil, reportURL: nil, summary: summary)
    }

    /// The pipeline path as the user typed it (relative when under the current folder).
    private var displayedPipelinePath: String { relativePath(request.pipelineFile) }

    private func relativePath(_ url: URL) -> String {
        let current = FileManager.default.currentDirectoryPath + "/"
        let path = url.standardizedFileURL.path
        return path.hasPrefix(current) ? String(path.dropFirst(current.count)) : path
    }

    /// `20261121T030000Z-3fa9`: sortable, unique enough for one pipeline, safe in file names.
    static func makeRunID(now: Date) -> String {
        UTCTimestamp.compact(now) + "-" + String(format: "%04x", UInt16.random(in: 0...UInt16.max))
    }
}

/// Set once a pass saw units interrupted by a stop signal.
private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}

/// Errors met while asking for partition locks, kept for the units' reports.
private final class LockErrors: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [PartitionDay: String] = [:]

    func set(_ day: PartitionDay, _ message: String) {
        lock.lock()
        errors[day] = message
        lock.unlock()
    }

    func get(_ day: PartitionDay) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return errors[day]
    }
}

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

        let plan: RunPlan
        var days: [PartitionDay]
        do {
            let pipeline = try loadPipeline()
            days = request.partitions.days(now: now)
            try checkClosed(days)
            plan = try makePlan(pipeline: pipeline, days: days, failedStages: { _ in [] }, resolveFailed: false)
        } catch {
            return notStarted(runID: runID, error: error)
        }

        if request.dryRun {
            if request.selections.contains(where: { $0.hasSuffix("failed") || $0.hasPrefix("+failed") }) {
                return notStarted(
                    runID: runID,
                    error: RunnerError.usage(
                        "--select failed reads the run ledger in PostgreSQL, which --dry-run never touches; "
                            + "drop --dry-run, or see 'chainetl status' for the failed stages"))
            }
            // The marked days the run would add, read (only read) from etl_refetch when reachable.
            let preview = previewMarks(pipeline: plan.pipeline.name, days: days, logger: logger)
            let previewPlan: RunPlan
            do {
                previewPlan = try makePlan(
                    pipeline: plan.pipeline, days: preview.days, failedStages: { _ in [] }, resolveFailed: false)
            } catch {
                return notStarted(runID: runID, error: error)
            }
            days = preview.days
            for note in preview.notes { console.printPlan(note) }
            let lines = DryRunPlanner(
                plan: previewPlan, workdir: request.workdir, force: request.force, refetchPartitions: preview.marked
            ).lines()
            for line in lines { console.printPlan(line) }
            let runs = lines.filter { $0.hasPrefix("run ") }.count
            let summary =
                "dry run: \(runs) units would run, \(lines.count - runs) would skip, \(days.count) "
                + (days.count == 1 ? "partition" : "partitions") + "; nothing was executed"
            console.closing(summary: summary, failures: [], resume: nil, runID: runID, status: .succeeded)
            return RunResult(status: .succeeded, report: nil, reportURL: nil, summary: summary)
        }

        // The database: ledger connection, migrations, run row.
        let ledger: RunLedger
        var refetchMarks: [PartitionDay: [Int]] = [:]
        do {
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
            do {
                if servesEarlierMarks {
                    // The scheduled run also serves the marks of earlier closed days: a reorg found
                    // while extracting yesterday marks the day before, which no later nightly covers.
                    let scheduled = try RefetchMarks.openForScheduledRun(
                        pipeline: plan.pipeline.name, today: PartitionDay(containing: now), on: connection)
                    refetchMarks = scheduled.marks
                    days = Array(Set(days).union(scheduled.marks.keys)).sorted()
                    logScheduledMarks(scheduled, logger: logger)
                } else {
                    refetchMarks = try RefetchMarks.open(pipeline: plan.pipeline.name, days: days, on: connection)
                }
            } catch {
                connection.close()
                throw RunnerError.database(action: "read the refetch marks in etl_refetch", underlying: error)
            }
            ledger = RunLedger(connection: connection, runID: runID, pipeline: plan.pipeline.name, logger: logger)
            do {
                try ledger.begin(partitions: days, arguments: request.arguments)
            } catch {
                ledger.close()
                throw RunnerError.database(action: "record the run in etl_runs", underlying: error)
            }
        } catch {
            return notStarted(runID: runID, error: error)
        }
        defer { ledger.close() }

        // `--select failed` is resolved per partition from the ledger.
        let runPlan: RunPlan
        do {
            runPlan = try makePlan(
                pipeline: plan.pipeline, days: days, failedStages: { try ledger.failedStages(partition: $0) },
                resolveFailed: true)
        } catch {
            try? ledger.finish(status: .failed)
            return notStarted(runID: runID, error: error)
        }

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
        var units = runPass(runPlan.partitions)
        // A reorg found by this run is repaired by this run: follow-up passes (docs/runner.md, "Reorgs").
        var reloaded: [PartitionDay: [Int]] = [:]
        var reloadUnits: [UnitReport] = []
        if signals?.receivedSignal == nil && !stopped.isSet && !runPlan.selectionNamesStages {
            let followUp = reloadReorgMarkedDays(
                runPlan: runPlan, runID: runID, days: days, executor: executor, logger: logger,
                runPass: runPass, stopped: { signals?.receivedSignal != nil || stopped.isSet })
            units += followUp.units
            reloaded = followUp.marks
            reloadUnits = followUp.reloadUnits
            days = Array(Set(days).union(followUp.marks.keys)).sorted()
        }
        let stopSignal = signals?.receivedSignal

        var lockMessages: [String] = []
        for (day, holder) in locks.refused.sorted(by: { $0.key < $1.key }) {
            let message = PartitionLocks.message(pipeline: runPlan.pipeline.name, partition: day, holder: holder)
            lockMessages.append(message)
            ledger.recordEvent(
                StageEvent(
                    stageID: "", partition: day, kind: "lock", message: "partition locked by another run",
                    details: ["holder.run": holder.runID ?? "", "holder.pid": holder.pid.map(String.init) ?? ""]),
                level: "warning")
        }

        var report = RunReport(
            runID: runID, pipeline: runPlan.pipeline.name, pipelineFile: request.pipelineFile.path,
            arguments: request.arguments, startedAt: now, partitions: days)
        report.units = units
        let keyUsage = services.rateLimiters.usage(since: rateUsageBefore)
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
        clearRefetchMarks(refetchMarks, units: report.units, plan: runPlan, runID: runID, logger: logger)
        clearRefetchMarks(
            reloaded, units: reloadUnits, plan: runPlan, runID: runID, includingThisRun: true, logger: logger)
        report.events = events.events
        report.finishedAt = Date()
        report.status =
            report.count(.failed) > 0 ? .failed : (report.count(.locked) > 0 ? .locked : .succeeded)
        report.exitCode = report.status.exitCode
        if let stopSignal {
            report.status = .interrupted
            report.exitCode = SignalTrap.exitCode(for: stopSignal)
        }
        report.resumeCommand = RunSummary.resumeCommand(
            report, request: request, displayedPipelinePath: displayedPipelinePath,
            ledgerIncomplete: ledger.lostWrites)

        let writer = RunReportWriter(workdir: request.workdir, writeBytes: reportWriteBytes)
        let elapsed =
            Double((ContinuousClock.now - clock).components.seconds)
            + Double((ContinuousClock.now - clock).components.attoseconds) / 1e18
        report.summary = RunSummary.line(report, reportPath: relativePath(writer.url(for: runID)), elapsed: elapsed)
        var reportURL: URL?
        var reportProblem: String?
        do {
            reportURL = try writer.write(report)
        } catch {
            // The summary must not name a report that does not exist: it says why there is none.
            logger.error("run report not written", metadata: ["error": "\(error)"])
            reportProblem = "\(error)"
            if report.status == .succeeded {
                report.status = .failed
                report.exitCode = report.status.exitCode
            }
            report.summary = RunSummary.line(
                report, reportPath: nil, elapsed: elapsed,
                reportProblem: (error as? OperationsError).map(RunSummary.shortReason) ?? "\(error)")
        }
        do {
            try ledger.finish(status: report.status)
        } catch {
            logger.error("run status not recorded in the ledger", metadata: ["error": "\(error)"])
        }
        let finishedReport = report
        ledger.withConnection { connection in
            _ = RunReportPage.write(
                report: finishedReport, workdir: request.workdir, connection: connection, logger: logger,
                chainIDs: runPlan.pipeline.chains.map(\.chainID), lowDayShare: request.lowDayShare)
        }
        if let metricsFile = request.metricsFile {
            do {
                let metrics = ledger.withConnection { connection in
                    PipelineMetrics(
                        report: finishedReport, pipeline: runPlan.pipeline, connection: connection,
                        environment: environment, logger: logger)
                }
                try TextfileMetrics.write(path: metricsFile, metrics: metrics)
            } catch {
                logger.error(
                    "metrics file not written", metadata: ["path": "\(metricsFile.path)", "error": "\(error)"])
            }
        }
        let failures =
            RunSummary.failureLines(report, stopSignal: stopSignal.map(SignalTrap.name(of:))) + lockMessages
            + (reportProblem.map { ["run report not written: \($0)"] } ?? [])
        console.closing(
            summary: report.summary, failures: failures, resume: report.resumeCommand, runID: runID,
            status: report.status, exitCode: report.exitCode)
        return RunResult(
            status: report.status, report: report, reportURL: reportURL, summary: report.summary,
            exitCode: report.exitCode)
    }

    // MARK: - Steps

    /// Whether this is the plain scheduled run (no partition, no `--select`, no `--force`), which
    /// adds the closed days with open refetch marks to yesterday. A run that names days or stages
    /// does exactly what it names.
    private var servesEarlierMarks: Bool {
        request.partitions == .yesterday && request.selections.isEmpty && !request.force
    }

    /// What the open `etl_refetch` marks add to a plan, for `--dry-run` and `plan`: the days the
    /// run would cover, the marked ones (their extracts rerun), and one note per added day. Read
    /// only; a database that cannot be read leaves the plan as it is (logged).
    struct MarkPreview {
        var days: [PartitionDay]
        var marked: Set<PartitionDay>
        var notes: [String]
    }

    func previewMarks(pipeline: String, days: [PartitionDay], logger: Logger) -> MarkPreview {
        do {
            let connection = try PostgresConnection.connect(
                url: request.databaseURL, applicationName: "chainetl plan refetch marks", logger: logger)
            defer { connection.close() }
            let marks: [PartitionDay: [Int]]
            if servesEarlierMarks {
                marks = try RefetchMarks.openForScheduledRun(
                    pipeline: pipeline, today: PartitionDay(containing: now), on: connection
                ).marks
            } else {
                marks = try RefetchMarks.open(pipeline: pipeline, days: days, on: connection)
            }
            let added = marks.keys.filter { !days.contains($0) }.sorted()
            return MarkPreview(
                days: Array(Set(days).union(added)).sorted(), marked: Set(marks.keys),
                notes: added.map { "note: partition \($0) added: \(RefetchMarks.reason)" })
        } catch {
            logger.info("refetch marks not read; the plan leaves them out", metadata: ["error": "\(error)"])
            return MarkPreview(days: days, marked: [], notes: [])
        }
    }

    /// Says which marked partitions a scheduled run added, and which older ones it left open.
    private func logScheduledMarks(
        _ scheduled: (marks: [PartitionDay: [Int]], leftOut: [PartitionDay]), logger: Logger
    ) {
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

    func loadPipeline() throws -> PipelineSpec {
        switch PipelineLoader.load(file: request.pipelineFile, environment: environment, catalog: registry) {
        case .success(let pipeline): return pipeline
        case .failure(let diagnostics): throw RunnerError.invalidPipeline(diagnostics)
        }
    }

    private func checkClosed(_ days: [PartitionDay]) throws {
        let today = PartitionDay(containing: now)
        if !request.allowOpen, let open = days.first(where: { $0 >= today }) {
            throw RunnerError.openPartition(open, today: today)
        }
    }

    /// Builds every stage, parses the selection and resolves it per partition.
    func makePlan(
        pipeline: PipelineSpec, days: [PartitionDay], failedStages: (PartitionDay) throws -> Set<String>,
        resolveFailed: Bool
    ) throws -> RunPlan {
        var stages: [String: any Stage] = [:]
        var problems: [ConfigDiagnostic] = []
        for spec in pipeline.stages {
            do {
                stages[spec.id] = try registry.makeStage(spec, pipeline: pipeline)
            } catch let diagnostic as ConfigDiagnostic {
                problems.append(diagnostic)
            } catch let diagnostics as ConfigDiagnostics {
                problems.append(contentsOf: diagnostics.diagnostics)
            } catch {
                problems.append(ConfigDiagnostic(location: spec.location, message: "\(error)"))
            }
        }
        if !problems.isEmpty { throw RunnerError.invalidPipeline(ConfigDiagnostics(problems)) }

        let graph: StageGraph
        let selection: StageSelection
        do {
            graph = try StageGraph(stages: pipeline.stages)
            selection = try StageSelection(parsing: request.selections)
            _ = try selection.resolve(in: graph)
        } catch {
            throw RunnerError.usage("\(error)")
        }
        let usesFailed = selection.selectors.contains { $0.target == .failed }
        var partitions: [(partition: PartitionDay, stages: [String])] = []
        for day in days {
            let failed = resolveFailed && usesFailed ? try failedStages(day) : []
            let ids = try selection.resolve(in: graph, failedStages: failed)
            partitions.append((day, ids))
        }
        return RunPlan(
            pipeline: pipeline, graph: graph, stages: stages, partitions: partitions,
            selectionNamesStages: !selection.selectors.isEmpty)
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

import ChainETLCore
import ChainETLPostgres
import ChainETLStages
import Foundation
import Logging

/// Runs one (partition, stage) unit on the calling worker thread: opens its inputs, decides run or
/// skip, runs the stage into a temporary checkpoint, commits it, and records the outcome.
final class UnitExecutor: @unchecked Sendable {
    struct Environment: Sendable {
        var runID: String
        var workdir: URL
        var databaseURL: String?
        var options: StageOptions
        var logger: Logger
        var events: RunEventCollector
        var progress: ProgressBoard
        var services: ExtractionServices
        var ledger: RunLedger?
        /// Partitions with open `etl_refetch` marks: their extract stages run again.
        var refetchPartitions: Set<PartitionDay> = []
        /// Ids listed per kind in a unit's rerun diff (the diff file has them all).
        var diffExampleLimit = 20
    }

    private let plan: RunPlan
    private let environment: Environment
    private let lock = NSLock()
    private var reports: [WorkUnit: UnitReport] = [:]
    /// Partitions added mid-run because this run's reorg check marked them (extracts forced).
    private var addedRefetch: Set<PartitionDay> = []
    /// Units rerun whatever their checkpoint says, with the reason shown.
    private var forced: [WorkUnit: String] = [:]

    init(plan: RunPlan, environment: Environment) {
        self.plan = plan
        self.environment = environment
    }

    /// Forces the extract stages of `days` (marked by this run's reorg check) to run again.
    func addRefetch(_ days: some Sequence<PartitionDay>) {
        lock.lock()
        addedRefetch.formUnion(days)
        lock.unlock()
    }

    /// Makes `units` run whatever their checkpoints say, for `reason`, and forgets their earlier
    /// reports (a unit rerun in a follow-up pass reports that run).
    func force(_ units: some Sequence<WorkUnit>, reason: String) {
        lock.lock()
        for unit in units {
            forced[unit] = reason
            reports[unit] = nil
        }
        lock.unlock()
    }

    /// Forgets the reports of `units` before a follow-up pass runs them again.
    func forget(_ units: some Sequence<WorkUnit>) {
        lock.lock()
        for unit in units { reports[unit] = nil }
        lock.unlock()
    }

    private func markedPartitions() -> Set<PartitionDay> {
        lock.lock()
        defer { lock.unlock() }
        return environment.refetchPartitions.union(addedRefetch)
    }

    private func forcedReason(_ unit: WorkUnit) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return forced[unit]
    }

    /// The report of every unit that finished, blocked or was locked, keyed by unit.
    var unitReports: [WorkUnit: UnitReport] {
        lock.lock()
        defer { lock.unlock() }
        return reports
    }

    func location(_ stageID: String, _ partition: PartitionDay) -> CheckpointLocation {
        CheckpointLocation(
            workdir: environment.workdir, pipeline: plan.pipeline.name, partition: partition, stageID: stageID)
    }

    /// Executes `unit` and reports what happened to the scheduler.
    func execute(_ unit: WorkUnit) -> SchedulerStateMachine.UnitResult {
        let spec = plan.spec(unit.stageID)
        let stage = plan.stages[unit.stageID]!
        let (configHash, configParts) = plan.configHashes[unit.stageID]!
        let started = Date()
        var logger = environment.logger
        logger[metadataKey: "stage.id"] = "\(unit.stageID)"
        logger[metadataKey: "partition"] = "\(unit.partition)"
        defer { environment.progress.finish(unit) }

        var rowID: Int?
        var context: StageContext?
        defer { context?.closeDatabase() }
        do {
            rowID = try environment.ledger?.unitStarted(unit, at: started)
            // A stop signal between the scheduler's pick and here: start nothing.
            try CancellationFlag.process.check()
            var inputs: [String: CheckpointReader] = [:]
            for need in spec.needs {
                inputs[need] = try CheckpointReader.open(location(need, unit.partition))
            }
            let ownLocation = location(unit.stageID, unit.partition)
            let made = StageContext(
                pipeline: plan.pipeline, spec: spec, configHash: configHash, partition: unit.partition,
                workdir: environment.workdir, runID: environment.runID, logger: logger, options: environment.options,
                eventSink: environment.events, progressReporter: environment.progress,
                services: environment.services, inputs: inputs, databaseURL: environment.databaseURL,
                makeOutput: {
                    try CheckpointWriter(location: ownLocation, kind: spec.kind, recordSchema: stage.recordSchema)
                })
            context = made
            let inputHashes = inputs.mapValues(\.manifest.contentHash)
            let existing = Self.existingManifest(at: ownLocation)
            var decision = SkipDecision.decide(
                forced: environment.options.force, selected: plan.selectionNamesStages,
                existing: existing, configHash: configHash, configParts: configParts, inputs: inputHashes,
                isUpToDate: { try stage.isUpToDate(made, manifest: $0) })
            if !decision.runs,
                RefetchMarks.forcesRerun(of: stage, partition: unit.partition, marked: markedPartitions())
            {
                decision = SkipDecision(runs: true, reason: RefetchMarks.reason)
            }
            if !decision.runs, let reason = forcedReason(unit) {
                decision = SkipDecision(runs: true, reason: reason)
            }

            if !decision.runs {
                let kept = try Self.existingManifest(at: ownLocation)?.get()
                let report = UnitReport(
                    stage: unit.stageID, kind: spec.kind, partition: unit.partition, status: .skipped,
                    reason: decision.reason, startedAt: started, finishedAt: Date(), counts: kept?.counts,
                    checkpointHash: kept?.contentHash)
                try finish(unit, rowID: rowID, report: report)
                logger.info("stage skipped", metadata: ["reason": "\(decision.reason)"])
                return .skipped
            }

            logger.info("stage started", metadata: ["reason": "\(decision.reason)"])
            let snapshots = DiffSnapshots(stage: stage)
            snapshots.before(made)
            let outcome = try stage.run(made)
            let manifest = try made.output.commit(
                configHash: configHash, configParts: configParts, inputs: inputHashes, counts: outcome.counts, details: outcome.details,
                startedAt: started)
            let diff = snapshots.after(
                made,
                rows: RerunDiff(
                    workdir: environment.workdir, runID: environment.runID,
                    exampleLimit: environment.diffExampleLimit
                ).rows(at: ownLocation, replaced: (try? existing?.get()) != nil),
                exampleLimit: environment.diffExampleLimit)
            if let diff { RerunDiff.log(diff, logger: logger) }
            let finished = Date()
            var report = UnitReport(
                stage: unit.stageID, kind: spec.kind, partition: unit.partition, status: .succeeded,
                reason: decision.reason, startedAt: started, finishedAt: finished, counts: outcome.counts,
                details: outcome.details, checkpointHash: manifest.contentHash)
            report.diff = diff
            try finish(unit, rowID: rowID, report: report)
            logger.info(
                "stage finished",
                metadata: [
                    "rows.in": "\(outcome.counts.rowsIn)", "rows.out": "\(outcome.counts.rowsOut)",
                    "duration.ms": "\(report.durationMS ?? 0)",
                ])
            return .succeeded
        } catch {
            context?.outputIfOpened?.discard()
            // Once the run is stopping, a unit that ends in an error is recorded `interrupted`: the
            // error is most likely the stop itself (a cancelled request), and either way
            // `--select failed` reruns it.
            let interrupted = error is CancellationFlag.Interrupted || CancellationFlag.process.isCancelled
            let wrapped = StageError.failed(stage: unit.stageID, partition: unit.partition, underlying: error)
            var report = UnitReport(
                stage: unit.stageID, kind: spec.kind, partition: unit.partition,
                status: interrupted ? .interrupted : .failed,
                reason: interrupted ? "interrupted by a stop signal" : "stage failed", startedAt: started,
                finishedAt: Date(), error: "\(error)")
            report.resumeFrom = Self.corruptUpstream(of: unit, needs: spec.needs, error: error)
            do {
                try finish(unit, rowID: rowID, report: report)
            } catch {
                logger.error("stage failure not recorded in the ledger", metadata: ["error": "\(error)"])
                store(unit, report)
            }
            if interrupted {
                logger.warning("stage interrupted", metadata: ["error": "\(wrapped)"])
                return .interrupted
            }
            logger.error("stage failed", metadata: ["error": "\(wrapped)"])
            return .failed
        }
    }

    /// Records units the scheduler never started (blocked by a failure, or locked by another run).
    func recordNotRun(_ unit: WorkUnit, state: SchedulerStateMachine.UnitState) {
        let spec = plan.spec(unit.stageID)
        let report: UnitReport
        switch state {
        case .blocked(let upstream):
            report = UnitReport(
                stage: unit.stageID, kind: spec.kind, partition: unit.partition, status: .blocked,
                reason: "blocked: upstream \(upstream) failed", finishedAt: Date(),
                error: "not run because \(upstream) failed in this partition")
            do {
                try environment.ledger?.unitFinished(rowID: nil, report: report)
            } catch {
                environment.logger.error(
                    "blocked stage not recorded in the ledger",
                    metadata: ["stage.id": "\(unit.stageID)", "partition": "\(unit.partition)", "error": "\(error)"])
            }
        case .locked:
            report = UnitReport(
                stage: unit.stageID, kind: spec.kind, partition: unit.partition, status: .locked,
                reason: "partition locked by another run")
        case .interrupted:
            report = UnitReport(
                stage: unit.stageID, kind: spec.kind, partition: unit.partition, status: .interrupted,
                reason: "not started: the run was stopped", finishedAt: Date(),
                error: "not run because the run was stopped by a signal")
            do {
                try environment.ledger?.unitFinished(rowID: nil, report: report)
            } catch {
                environment.logger.error(
                    "interrupted stage not recorded in the ledger",
                    metadata: ["stage.id": "\(unit.stageID)", "partition": "\(unit.partition)", "error": "\(error)"])
            }
        default:
            return
        }
        store(unit, report)
    }

    private func finish(_ unit: WorkUnit, rowID: Int?, report: UnitReport) throws {
        store(unit, report)
        try environment.ledger?.unitFinished(rowID: rowID, report: report)
    }

    /// Stores a report without touching the ledger.
    func recordReport(_ unit: WorkUnit, _ report: UnitReport) {
        store(unit, report)
    }

    private func store(_ unit: WorkUnit, _ report: UnitReport) {
        lock.lock()
        reports[unit] = report
        lock.unlock()
    }

    /// The manifest already in place for a unit: nil when there is none, a failure when it is unreadable.
    static func existingManifest(at location: CheckpointLocation) -> Result<CheckpointManifest, any Error>? {
        do {
            guard let manifest = try CheckpointStore.existingManifest(at: location) else { return nil }
            return .success(manifest)
        } catch {
            return .failure(error)
        }
    }
}

extension UnitExecutor {
    /// The need of `unit` whose checkpoint `error` says is corrupt, missing or unreadable: rerunning
    /// `unit` alone would fail again, so the resume command starts from that need (`need+`).
    static func corruptUpstream(of unit: WorkUnit, needs: [String], error: any Error) -> String? {
        if let checkpointError = error as? CheckpointError, let location = checkpointError.location,
            location.stageID != unit.stageID, needs.contains(location.stageID)
        {
            return location.stageID
        }
        // Stage errors wrap the checkpoint error's text, which always names "stage 'id' for day".
        let text = "\(error)"
        return needs.first { text.contains("checkpoint of stage '\($0)' for \(unit.partition)") }
    }

    /// Records a unit that failed because its partition's lock could not be asked for.
    func recordLockFailure(_ unit: WorkUnit, error message: String) {
        let spec = plan.spec(unit.stageID)
        recordReport(
            unit,
            UnitReport(
                stage: unit.stageID, kind: spec.kind, partition: unit.partition, status: .failed,
                reason: "partition lock unavailable", finishedAt: Date(), error: message))
    }
}

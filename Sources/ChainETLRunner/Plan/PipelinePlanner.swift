import ChainETLCore
import ChainETLExplorers
import ChainETLStages
import Foundation
import Logging

/// `chainetl plan`: what a run would do per (partition, stage), how many explorer calls its
/// extract stages would send per chain, and the share of each API key's daily quota that uses.
///
/// Run-or-skip comes from `RunPlanner` and the dry-run decisions (checkpoints on disk only). Row volumes
/// come from each extract stage's newest closed checkpoint, or from `--probe` (a few live calls),
/// else a minimum is shown. No explorer call is made without `--probe`. The database is only asked
/// for the calls already counted today, and its absence is not an error.
public struct PipelinePlanner {
    /// The printed plan and the exit code (0, or 2 for a usage or config error).
    public struct Result: Sendable {
        public var lines: [String]
        public var exitCode: Int32
    }

    private let request: PlanRequest
    private let registry: StageRegistry
    private let environment: [String: String]
    private let logger: Logger
    private let console: RunConsole
    private let now: Date
    private let transport: @Sendable () -> any HTTPTransport

    public init(
        request: PlanRequest, registry: StageRegistry = .standard,
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger, console: RunConsole,
        now: Date = Date(), transport: @escaping @Sendable () -> any HTTPTransport = { URLSessionTransport() }
    ) {
        self.request = request
        self.registry = registry
        self.environment = environment
        self.logger = logger
        self.console = console
        self.now = now
        self.transport = transport
    }

    /// Builds the plan, prints it on stdout, and returns it. Config and usage errors go to stderr.
    public func run() -> Result {
        do {
            let lines = try planLines()
            for line in lines { console.printPlan(line) }
            return Result(lines: lines, exitCode: 0)
        } catch let error as RunnerError {
            if case .invalidPipeline(let diagnostics) = error {
                for diagnostic in diagnostics.diagnostics { console.diagnostic(diagnostic) }
            } else {
                console.error(error.description)
            }
            return Result(lines: [], exitCode: error.exitCode)
        } catch {
            console.error("\(error)")
            return Result(lines: [], exitCode: 1)
        }
    }

    // MARK: - Steps

    private func planLines() throws -> [String] {
        let planner = try RunPlanner(
            RunPlanner.Request(
                pipelineFile: request.pipelineFile, partitions: request.partitions, selections: request.selections,
                force: request.force, databaseURL: request.databaseURL),
            registry: registry, environment: environment, now: now)
        if planner.selectsFailed {
            throw RunnerError.usage(
                "--select failed reads the run ledger of past runs, which plan does not use; "
                    + "name the stages, or see 'chainetl status' for the failed ones")
        }
        let pipeline = planner.pipeline
        let preview = planner.previewMarks(days: planner.requestedDays, logger: logger)
        let days = preview.days
        let plan = try planner.plan(days: days)
        let decisions = DryRunPlanner(
            plan: plan, workdir: request.workdir, force: request.force, refetchPartitions: preview.marked
        ).decisions()

        let today = PartitionDay(containing: now)
        var lines = [
            "plan for pipeline \(pipeline.name): \(days.count) " + (days.count == 1 ? "partition" : "partitions")
                + " (\(days.first!)" + (days.count > 1 ? " to \(days.last!)" : "") + "), \(decisions.count) units"
        ]
        let width = decisions.map(\.stage.count).max() ?? 0
        for unit in decisions {
            let padded = unit.stage.padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append("\(unit.decision.runs ? "run " : "skip") \(unit.partition) \(padded)  \(unit.decision.reason)")
        }
        lines += preview.notes
        if let open = days.first(where: { $0 >= today }) {
            lines.append(
                "note: \(open) is not closed yet (today is \(today) UTC); chainetl run refuses it without --allow-open")
        }

        var running: [String: Int] = [:]
        for unit in decisions where unit.decision.runs { running[unit.stage, default: 0] += 1 }
        let probeDay = days.last(where: { $0 < today }) ?? today.advanced(by: -1)
        var estimates: [ChainCallEstimate] = []
        var scopesByChain: [String: ExtractionScope] = [:]
        var probeCalls = 0
        var probeProblems: [String] = []
        let probe =
            request.probe
            ? ExplorerProbe(environment: environment, transport: transport(), rateLimiters: .shared, logger: logger)
            : nil
        for spec in pipeline.stages {
            guard let stage = plan.stages[spec.id] as? any ExplorerExtractStage else { continue }
            for scope in stage.scopes {
                scopesByChain[scope.chain.name] = scope
                var estimate = Self.estimate(
                    stageID: spec.id, scope: scope, partitions: running[spec.id, default: 0],
                    history: ExtractHistory.latest(
                        workdir: request.workdir, pipeline: pipeline.name, stageID: spec.id, chain: scope.chain.name))
                if let probe, estimate.partitions > 0 {
                    do {
                        let sampled = try probe.sample(scope, day: probeDay)
                        probeCalls += sampled.calls
                        estimate = Self.estimate(
                            stageID: spec.id, scope: scope, partitions: estimate.partitions, probe: sampled)
                    } catch {
                        probeProblems.append("probe of \(scope.chain.name) for \(spec.id) failed: \(error)")
                    }
                }
                estimates.append(estimate)
            }
        }

        var totalCalls = 0
        if !estimates.isEmpty {
            lines.append("explorer calls per extract stage and chain (units that would run):")
            for estimate in estimates {
                lines.append("  " + Self.describe(estimate))
                totalCalls += estimate.totalCalls
            }
            lines += probeProblems.map { "  \($0)" }
            lines.append("daily quota per api key (counted on the utc day the calls are sent, \(today) if run now):")
            for share in quotaShares(estimates, scopes: scopesByChain, today: today) {
                lines.append("  " + share.line(today: today, usedTodayNote: usedTodayNote))
            }
        }
        let runs = decisions.filter(\.decision.runs).count
        var summary = "summary: \(runs) units would run, \(decisions.count - runs) would skip"
        summary += estimates.isEmpty ? "; no explorer extraction" : "; ~\(totalCalls) explorer calls"
        if request.probe { summary += "; the probe sent \(probeCalls) calls" }
        lines.append(summary)
        return lines
    }

    // MARK: - Estimates

    static func estimate(
        stageID: String, scope: ExtractionScope, partitions: Int, history: ExtractHistory?
    ) -> ChainCallEstimate {
        let targets = scope.targets.count
        guard let history, history.targets > 0 else {
            return ChainCallEstimate(
                stageID: stageID, chain: scope.chain.name, partitions: partitions, targets: targets,
                blocksPerDay: nil, rowsPerDay: nil,
                callsPerPartition: ChainCallEstimate.callsPerPartition(
                    targets: targets, rowsPerTarget: nil, offset: scope.offset),
                basis: .minimum)
        }
        let rowsPerTarget = Double(history.rows) / Double(history.targets)
        let modelled = ChainCallEstimate.callsPerPartition(
            targets: targets, rowsPerTarget: rowsPerTarget, offset: scope.offset)
        return ChainCallEstimate(
            stageID: stageID, chain: scope.chain.name, partitions: partitions, targets: targets,
            blocksPerDay: history.blocks, rowsPerDay: Int((rowsPerTarget * Double(targets)).rounded()),
            // Same targets: the recorded count (page checks and retries included) is the best guide.
            callsPerPartition: history.targets == targets ? max(history.calls, modelled) : modelled,
            basis: .history(history.partition))
    }

    static func estimate(
        stageID: String, scope: ExtractionScope, partitions: Int, probe: ExplorerProbe.Result
    ) -> ChainCallEstimate {
        let targets = scope.targets.count
        return ChainCallEstimate(
            stageID: stageID, chain: scope.chain.name, partitions: partitions, targets: targets,
            blocksPerDay: probe.blocksPerDay, rowsPerDay: Int((probe.rowsPerTarget * Double(targets)).rounded()),
            callsPerPartition: ChainCallEstimate.callsPerPartition(
                targets: targets, rowsPerTarget: probe.rowsPerTarget, offset: scope.offset),
            basis: .probe(probe.day))
    }

    static func describe(_ estimate: ChainCallEstimate) -> String {
        var text = "\(estimate.stageID) on \(estimate.chain): "
        guard estimate.partitions > 0 else { return text + "no calls (skipped in every partition)" }
        text += "~\(estimate.callsPerPartition) calls × \(estimate.partitions) "
        text += (estimate.partitions == 1 ? "partition" : "partitions") + " = ~\(estimate.totalCalls) ("
        text += "\(estimate.targets) " + (estimate.targets == 1 ? "target" : "targets")
        if let blocks = estimate.blocksPerDay { text += ", \(blocks) blocks/day" }
        if let rows = estimate.rowsPerDay { text += ", ~\(rows) rows/day" }
        return text + "; \(estimate.basis))"
    }

    // MARK: - Quota

    /// Groups the estimates by API key; chains whose variable is unset are grouped by variable name.
    private func quotaShares(
        _ estimates: [ChainCallEstimate], scopes: [String: ExtractionScope], today: PartitionDay
    ) -> [KeyQuotaShare] {
        var shares: [String: KeyQuotaShare] = [:]
        var order: [String] = []
        for estimate in estimates {
            guard let scope = scopes[estimate.chain] else { continue }
            let chain = scope.chain
            let fingerprint: String
            if let access = try? ChainExplorerAccess(chain: chain, environment: environment) {
                fingerprint = access.fingerprint.value
            } else {
                fingerprint = "unset:\(chain.apiKeyEnv ?? "?")"
            }
            if shares[fingerprint] == nil {
                order.append(fingerprint)
                shares[fingerprint] = KeyQuotaShare(
                    fingerprint: fingerprint, variables: [], chains: [], perDay: nil, perSecond: chain.ratePerSecond,
                    plannedCalls: 0, usedToday: nil)
            }
            var share = shares[fingerprint]!
            if let variable = chain.apiKeyEnv, !share.variables.contains(variable) { share.variables.append(variable) }
            if !share.chains.contains(chain.name) { share.chains.append(chain.name) }
            if let perDay = chain.ratePerDay { share.perDay = min(share.perDay ?? perDay, perDay) }
            share.perSecond = min(share.perSecond, chain.ratePerSecond)
            share.plannedCalls += estimate.totalCalls
            shares[fingerprint] = share
        }
        var result = order.map { shares[$0]! }
        let needsDatabase = result.contains { $0.perDay != nil && !$0.fingerprint.hasPrefix("unset:") }
        guard needsDatabase else { return result }
        let store = PostgresQuotaStore(databaseURL: request.databaseURL, logger: logger)
        defer { store.close() }
        for index in result.indices where result[index].perDay != nil && !result[index].fingerprint.hasPrefix("unset:")
        {
            do {
                result[index].usedToday = try store.used(fingerprint: result[index].fingerprint, day: today)
            } catch {
                logger.debug("api quota not readable", metadata: ["error": "\(error)"])
                break
            }
        }
        return result
    }

    private var usedTodayNote: String { "unknown (the database is not reachable or not migrated)" }
}

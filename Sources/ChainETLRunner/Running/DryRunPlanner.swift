import ChainETLCore
import ChainETLStages
import Foundation

/// `--dry-run`: what each unit would do and why, from the checkpoints on disk only.
///
/// Stages whose effect lives in the database (loads, `sql`) are judged by their checkpoint alone:
/// the database is never touched, so a database reset is not seen here.
struct DryRunPlanner {
    let plan: RunPlan
    let workdir: URL
    let force: Bool
    /// Partitions with open `etl_refetch` marks: their extract stages would run again.
    var refetchPartitions: Set<PartitionDay> = []

    /// One line per planned unit: `run  2026-11-20 normalize  config changed`.
    func lines() -> [String] {
        let width = plan.partitions.flatMap(\.stages).map(\.count).max() ?? 0
        return decisions().map { unit in
            let padded = unit.stage.padding(toLength: max(width, unit.stage.count), withPad: " ", startingAt: 0)
            return "\(unit.decision.runs ? "run " : "skip") \(unit.partition) \(padded)  \(unit.decision.reason)"
        }
    }

    /// Whether each planned unit would run, in plan order (also used by `chainetl plan`).
    func decisions() -> [(partition: PartitionDay, stage: String, decision: SkipDecision)] {
        var decisions: [(partition: PartitionDay, stage: String, decision: SkipDecision)] = []
        for (day, stages) in plan.partitions {
            var willRun: Set<String> = []
            for id in stages {
                let decision = decide(id, day: day, willRun: willRun)
                if decision.runs { willRun.insert(id) }
                decisions.append((day, id, decision))
            }
        }
        return decisions
    }

    private func decide(_ id: String, day: PartitionDay, willRun: Set<String>) -> SkipDecision {
        let spec = plan.spec(id)
        var inputs: [String: String] = [:]
        var missing: [String] = []
        for need in spec.needs {
            if willRun.contains(need) { continue }
            switch UnitExecutor.existingManifest(at: location(need, day)) {
            case .success(let manifest)?: inputs[need] = manifest.contentHash
            case .failure?, nil: missing.append(need)
            }
        }
        let upstreamRunning = spec.needs.filter(willRun.contains)
        var decision = SkipDecision.decide(
            forced: force, selected: plan.selectionNamesStages,
            existing: UnitExecutor.existingManifest(at: location(id, day)),
            configHash: plan.configHashes[id]!.hash, configParts: plan.configHashes[id]!.parts, inputs: inputs,
            isUpToDate: { _ in true })
        if !decision.runs,
            RefetchMarks.forcesRerun(of: plan.stages[id]!, partition: day, marked: refetchPartitions)
        {
            decision = SkipDecision(runs: true, reason: RefetchMarks.reason)
        }
        if !force && !plan.selectionNamesStages && !upstreamRunning.isEmpty {
            decision = SkipDecision(runs: true, reason: "upstream will run: \(upstreamRunning.joined(separator: ", "))")
        }
        if decision.runs && !missing.isEmpty {
            decision.reason += "; will fail: no usable checkpoint of \(missing.joined(separator: ", "))"
        }
        return decision
    }

    private func location(_ id: String, _ day: PartitionDay) -> CheckpointLocation {
        CheckpointLocation(workdir: workdir, pipeline: plan.pipeline.name, partition: day, stageID: id)
    }
}

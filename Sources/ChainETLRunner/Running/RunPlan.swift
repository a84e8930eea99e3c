import ChainETLCore
import ChainETLStages

/// What a run will do: the pipeline, its built stages, and per partition the stages to consider.
struct RunPlan: Sendable {
    let pipeline: PipelineSpec
    let graph: StageGraph
    /// Every stage of the pipeline, built from its spec (so bad parameters fail before anything runs).
    let stages: [String: any Stage]
    /// Every stage's config hash and its named parts (`StageConfigHash`), computed once per run.
    let configHashes: [String: (hash: String, parts: [String: String])]
    /// Per partition, oldest first, the planned stage ids in topological order.
    let partitions: [(partition: PartitionDay, stages: [String])]
    /// Whether a `--select` chose the stages: then every planned stage runs, never skips.
    let selectionNamesStages: Bool

    var unitCount: Int { partitions.reduce(0) { $0 + $1.stages.count } }

    /// `needs` of every stage, for the scheduler.
    var needs: [String: [String]] {
        Dictionary(uniqueKeysWithValues: pipeline.stages.map { ($0.id, $0.needs) })
    }

    /// The stages that run in the scheduler's extract lane: explorer extracts, which wait on an API
    /// key rather than the CPU (`extract/file` reads local files and stays in the general lane).
    var explorerExtractStages: Set<String> {
        Set(pipeline.stages.filter { ExplorerExtractKinds.contains($0.kind) }.map(\.id))
    }

    /// The stages whose units run in partition order (`DayOrderedKinds`): a unit starts once the
    /// same stage is done in every earlier partition of the run.
    var dayOrderedStages: Set<String> {
        Set(pipeline.stages.filter { DayOrderedKinds.contains($0.kind) }.map(\.id))
    }

    /// The stages whose output for a day depends on other days' loaded data: `aggregate` stages
    /// (holder balances, rolling summaries) and everything downstream of them (exports), in
    /// topological order. They rerun on later days when a run reloads an earlier day.
    var historyStages: [String] {
        let aggregates = pipeline.stages.filter { $0.kind == "aggregate" }.map(\.id)
        var ids = Set(aggregates)
        for id in aggregates { ids.formUnion(graph.downstream(of: id)) }
        return graph.sortedTopologically(ids)
    }

    func spec(_ id: String) -> StageSpec {
        guard let spec = pipeline.stage(id: id) else { preconditionFailure("stage \(id) is not in the pipeline") }
        return spec
    }
}

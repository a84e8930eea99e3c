/// The stages a run covers: the union of its `--select` selectors, in topological order.
///
/// No selectors selects every stage. `failed` resolves from the caller's set of stages that failed
/// last time; ids in that set that the pipeline no longer has are ignored (the stage was renamed
/// or removed, so there is nothing to rerun).
public struct StageSelection: Sendable, Hashable {
    public var selectors: [StageSelector]

    public init(selectors: [StageSelector]) {
        self.selectors = selectors
    }

    /// Whether a selector starts from `failed`, which only the caller's record of past runs resolves.
    public var includesFailed: Bool { selectors.contains { $0.target == .failed } }

    /// Parses `--select` arguments; throws `.invalidSelector` for malformed ones.
    public init(parsing texts: [String]) throws(StageGraphError) {
        var selectors: [StageSelector] = []
        for text in texts { selectors.append(try StageSelector(parsing: text)) }
        self.init(selectors: selectors)
    }

    /// The selected stage ids in `graph`'s topological order.
    ///
    /// - Throws: `.unknownStage` (with the nearest id as a suggestion) for a selector naming no stage.
    public func resolve(in graph: StageGraph, failedStages: Set<String> = []) throws(StageGraphError) -> [String] {
        guard !selectors.isEmpty else { return graph.order }
        var selected: Set<String> = []
        for selector in selectors {
            let starts: [String]
            switch selector.target {
            case .stage(let id):
                guard graph.contains(id) else {
                    throw .unknownStage(
                        selector: selector.description, id: id, suggestion: NearestName.nearest(to: id, in: graph.ids))
                }
                starts = [id]
            case .failed:
                starts = failedStages.filter(graph.contains)
            }
            for start in starts {
                selected.insert(start)
                if selector.includesUpstream { selected.formUnion(graph.upstream(of: start)) }
                if selector.includesDownstream { selected.formUnion(graph.downstream(of: start)) }
            }
        }
        return graph.sortedTopologically(selected)
    }

    /// Parses and resolves in one step: `StageSelection.resolve(["load+"], in: graph)`.
    public static func resolve(
        _ texts: [String], in graph: StageGraph, failedStages: Set<String> = []
    ) throws(StageGraphError) -> [String] {
        try StageSelection(parsing: texts).resolve(in: graph, failedStages: failedStages)
    }
}

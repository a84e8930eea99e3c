/// The stages of one pipeline and their `needs:` edges: topological order, cycles, closures.
///
/// Order is stable: a stage comes after everything it needs, and among stages whose needs are all
/// met the one declared first in the file comes first. So the order only changes when the file does.
public struct StageGraph: Sendable {
    /// Stage ids in file order.
    public let ids: [String]
    /// Stage ids in topological order (see the type's summary).
    public let order: [String]
    private let needs: [String: [String]]
    private let dependents: [String: [String]]
    private let rank: [String: Int]

    /// Builds the graph of a loaded pipeline's stages.
    public init(stages: [StageSpec]) throws(StageGraphError) {
        try self.init(edges: stages.map { ($0.id, $0.needs) })
    }

    /// Builds a graph from `(id, needs)` pairs in file order.
    public init(edges: [(id: String, needs: [String])]) throws(StageGraphError) {
        var needs: [String: [String]] = [:]
        for edge in edges {
            guard needs[edge.id] == nil else { throw .duplicateStage(edge.id) }
            needs[edge.id] = edge.needs
        }
        for edge in edges {
            for need in edge.needs where needs[need] == nil {
                throw .unknownDependency(stage: edge.id, needs: need)
            }
        }
        if let cycle = Self.cycles(edges).first { throw .cycle(path: cycle) }
        let ids = edges.map(\.id)
        let order = Self.topologicalOrder(ids: ids, needs: needs)
        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, $0.offset) })
        var dependents: [String: [String]] = [:]
        for id in order {
            for need in Set(needs[id] ?? []) { dependents[need, default: []].append(id) }
        }
        self.ids = ids
        self.order = order
        self.needs = needs
        self.dependents = dependents
        self.rank = rank
    }

    public func contains(_ id: String) -> Bool { needs[id] != nil }

    /// The stages `id` names in `needs:` (direct dependencies), as written.
    public func needs(of id: String) -> [String] { needs[id] ?? [] }

    /// The stages that name `id` in their `needs:` (direct dependents), in topological order.
    public func dependents(of id: String) -> [String] { dependents[id] ?? [] }

    /// Everything `id` depends on, directly or not, in topological order; `id` itself excluded.
    public func upstream(of id: String) -> [String] { closure(from: id, following: needs) }

    /// Everything that depends on `id`, directly or not, in topological order; `id` itself excluded.
    public func downstream(of id: String) -> [String] { closure(from: id, following: dependents) }

    /// `ids` (duplicates and unknown ids dropped) in topological order.
    public func sortedTopologically(_ ids: some Sequence<String>) -> [String] {
        Set(ids).filter { rank[$0] != nil }.sorted { rank[$0]! < rank[$1]! }
    }

    private func closure(from start: String, following edges: [String: [String]]) -> [String] {
        var seen: Set<String> = []
        var pending = edges[start] ?? []
        while let next = pending.popLast() {
            guard seen.insert(next).inserted else { continue }
            pending.append(contentsOf: edges[next] ?? [])
        }
        seen.remove(start)
        return sortedTopologically(seen)
    }

    /// Kahn's algorithm, always taking the ready stage declared first (ready stages kept sorted by file position).
    private static func topologicalOrder(ids: [String], needs: [String: [String]]) -> [String] {
        let position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($0.element, $0.offset) })
        var waitingOn = ids.map { Set(needs[$0] ?? []).count }
        var dependents = [[Int]](repeating: [], count: ids.count)
        for (index, id) in ids.enumerated() {
            for need in Set(needs[id] ?? []) {
                if let needIndex = position[need] { dependents[needIndex].append(index) }
            }
        }
        // Sorted descending so the earliest ready stage is popped from the end.
        var ready = ids.indices.filter { waitingOn[$0] == 0 }.reversed() as [Int]
        var order: [String] = []
        order.reserveCapacity(ids.count)
        while let next = ready.popLast() {
            order.append(ids[next])
            for dependent in dependents[next] {
                waitingOn[dependent] -= 1
                guard waitingOn[dependent] == 0 else { continue }
                let insertion = ready.partitioningIndex { $0 < dependent }
                ready.insert(dependent, at: insertion)
            }
        }
        return order
    }

    /// Every dependency cycle, one per strongly connected component, ordered by file position.
    ///
    /// Each path starts at the component's first stage in file order and follows `needs` edges
    /// (the shortest way back, preferring needs in the order written) to end at the same stage:
    /// `["a", "c", "b", "a"]` reads "a needs c, c needs b, b needs a". Needs naming unknown ids are ignored.
    static func cycles(_ edges: [(id: String, needs: [String])]) -> [[String]] {
        var position: [String: Int] = [:]
        for (offset, edge) in edges.enumerated() where position[edge.id] == nil { position[edge.id] = offset }
        var needs: [String: [String]] = [:]
        for edge in edges where needs[edge.id] == nil { needs[edge.id] = edge.needs.filter { position[$0] != nil } }

        var cycles: [[String]] = []
        for component in stronglyConnectedComponents(ids: edges.map(\.id), needs: needs) {
            let members = Set(component)
            guard let start = component.min(by: { position[$0]! < position[$1]! }) else { continue }
            guard members.count > 1 || needs[start]!.contains(start) else { continue }
            cycles.append(shortestCycle(from: start, within: members, needs: needs))
        }
        return cycles.sorted { position[$0[0]]! < position[$1[0]]! }
    }

    private static func shortestCycle(from start: String, within members: Set<String>, needs: [String: [String]])
        -> [String]
    {
        var parent: [String: String] = [:]
        var queue = [start]
        var head = 0
        while head < queue.count {
            let current = queue[head]
            head += 1
            for next in needs[current]! where members.contains(next) {
                if next == start {
                    var path = [start]
                    var step = current
                    while step != start {
                        path.append(step)
                        step = parent[step]!
                    }
                    return [start] + path.dropFirst().reversed() + [start]
                }
                guard parent[next] == nil else { continue }
                parent[next] = current
                queue.append(next)
            }
        }
        return [start, start]
    }

    /// Tarjan's algorithm, iterative so a long chain of stages cannot overflow the stack.
    private static func stronglyConnectedComponents(ids: [String], needs: [String: [String]]) -> [[String]] {
        var index: [String: Int] = [:]
        var lowLink: [String: Int] = [:]
        var onStack: Set<String> = []
        var stack: [String] = []
        var components: [[String]] = []
        var counter = 0
        for root in ids where index[root] == nil {
            var work: [(id: String, next: Int)] = [(root, 0)]
            index[root] = counter
            lowLink[root] = counter
            counter += 1
            stack.append(root)
            onStack.insert(root)
            while let frame = work.last {
                let successors = needs[frame.id]!
                if frame.next < successors.count {
                    work[work.count - 1].next += 1
                    let successor = successors[frame.next]
                    if index[successor] == nil {
                        index[successor] = counter
                        lowLink[successor] = counter
                        counter += 1
                        stack.append(successor)
                        onStack.insert(successor)
                        work.append((successor, 0))
                    } else if onStack.contains(successor) {
                        lowLink[frame.id] = min(lowLink[frame.id]!, index[successor]!)
                    }
                    continue
                }
                work.removeLast()
                if let parent = work.last {
                    lowLink[parent.id] = min(lowLink[parent.id]!, lowLink[frame.id]!)
                }
                if lowLink[frame.id] == index[frame.id] {
                    var component: [String] = []
                    while let member = stack.popLast() {
                        onStack.remove(member)
                        component.append(member)
                        if member == frame.id { break }
                    }
                    components.append(component)
                }
            }
        }
        return components
    }
}

extension Array where Element == Int {
    /// The first index whose element satisfies `belongs`, for an array partitioned so that all
    /// elements that do not satisfy it come first (binary search).
    fileprivate func partitioningIndex(where belongs: (Int) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

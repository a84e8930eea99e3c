/// One `--select` argument: `id`, `id+` (with everything downstream), `+id` (with everything
/// upstream), `+id+` (both), or `failed` (the stages that failed last time; `+`/`+` apply too).
public struct StageSelector: Sendable, Hashable, CustomStringConvertible {
    /// What the selector starts from.
    public enum Target: Sendable, Hashable {
        case stage(String)
        /// The caller's set of stages that failed last time for the partition.
        case failed
    }

    public var target: Target
    public var includesUpstream: Bool
    public var includesDownstream: Bool
    /// The selector as written, for messages.
    public var description: String

    public init(target: Target, includesUpstream: Bool = false, includesDownstream: Bool = false) {
        self.target = target
        self.includesUpstream = includesUpstream
        self.includesDownstream = includesDownstream
        let name: String
        switch target {
        case .stage(let id): name = id
        case .failed: name = "failed"
        }
        description = (includesUpstream ? "+" : "") + name + (includesDownstream ? "+" : "")
    }

    /// Parses one selector; the stage id is checked later, against a graph.
    public init(parsing text: String) throws(StageGraphError) {
        var name = Substring(text)
        let upstream = name.hasPrefix("+")
        if upstream { name = name.dropFirst() }
        let downstream = name.hasSuffix("+")
        if downstream { name = name.dropLast() }
        guard !name.isEmpty, !name.contains("+"), !name.contains(where: \.isWhitespace) else {
            throw .invalidSelector(text)
        }
        self.init(
            target: name == "failed" ? .failed : .stage(String(name)), includesUpstream: upstream,
            includesDownstream: downstream)
    }
}

/// A stage graph that cannot be built, or a `--select` that cannot be resolved.
public enum StageGraphError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Two stages share an id.
    case duplicateStage(String)
    /// A stage needs an id that no stage has.
    case unknownDependency(stage: String, needs: String)
    /// The stages depend on each other in a loop; the path starts and ends with the same id.
    case cycle(path: [String])
    /// A selector names a stage the pipeline does not have.
    case unknownStage(selector: String, id: String, suggestion: String?)
    /// A selector that is not `id`, `id+`, `+id`, `+id+` or `failed`.
    case invalidSelector(String)

    public var description: String {
        switch self {
        case .duplicateStage(let id):
            return "stage id '\(id)' is declared twice; give each stage a unique id"
        case .unknownDependency(let stage, let needs):
            return
                "stage '\(stage)' needs '\(needs)', which is not a stage of this pipeline; declare it or remove it from needs"
        case .cycle(let path):
            return
                "dependency cycle: \(path.joined(separator: " -> ")) (each stage needs the next); remove one of these needs"
        case .unknownStage(let selector, let id, let suggestion):
            let hint =
                suggestion.map { "did you mean '\($0)'?" } ?? "run 'chainetl validate' to list the pipeline's stages"
            return "selector '\(selector)': no stage '\(id)' in this pipeline; \(hint)"
        case .invalidSelector(let text):
            return
                "invalid selector '\(text)'; use a stage id, id+ (with downstream), +id (with upstream), +id+ or failed"
        }
    }
}

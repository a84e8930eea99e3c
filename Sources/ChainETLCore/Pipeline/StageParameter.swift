/// One key a stage kind accepts under `with:`.
public struct StageParameter: Sendable, Hashable {
    public var name: String
    public var type: StageParameterType
    public var required: Bool
    /// One line for `validate` hints and documentation, e.g. "sql file, relative to the pipeline".
    public var description: String

    public init(name: String, type: StageParameterType, required: Bool = false, description: String) {
        self.name = name
        self.type = type
        self.required = required
        self.description = description
    }
}

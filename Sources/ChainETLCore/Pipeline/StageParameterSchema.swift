/// The `with:` keys a stage kind accepts; the loader rejects unknown keys, wrong types and missing required keys.
public struct StageParameterSchema: Sendable, Hashable {
    public var parameters: [StageParameter]

    public init(parameters: [StageParameter]) {
        self.parameters = parameters
    }

    /// A kind that takes no parameters: any key under `with:` is an error.
    public static let none = StageParameterSchema(parameters: [])

    public func parameter(named name: String) -> StageParameter? {
        parameters.first { $0.name == name }
    }
}

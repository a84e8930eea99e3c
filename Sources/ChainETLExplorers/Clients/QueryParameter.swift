/// One `name=value` query parameter of an explorer request.
public struct QueryParameter: Equatable, Hashable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One problem in a pipeline file: where it is, what is wrong, and what to do about it.
///
/// Rendered as `file:line:column: error: message`, followed by `  hint: …` when there is a hint.
public struct ConfigDiagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    /// What is wrong, lowercase, without the location.
    public var message: String
    /// What to do about it, when chainetl can tell.
    public var hint: String?

    public init(location: SourceLocation, message: String, hint: String? = nil) {
        self.location = location
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var text = "\(location): error: \(message)"
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}

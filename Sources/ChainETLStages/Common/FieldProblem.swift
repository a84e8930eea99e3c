/// Why one field of a file row could not be used; becomes part of a quarantine reason.
enum FieldProblem: Error, Equatable, CustomStringConvertible {
    /// The field is absent, null or empty.
    case missing
    /// The field is present but unusable; the text says how.
    case invalid(String)

    var description: String {
        switch self {
        case .missing: "is missing"
        case .invalid(let why): "is invalid: \(why)"
        }
    }
}

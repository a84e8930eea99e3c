/// The Postgres type of a parameter declared in an aggregate file's `-- params:` header.
enum AggregateParameterType: String, Equatable, Sendable {
    case timestamptz
    case date
    case text
    case textArray = "text[]"

    /// The type OID to bind with, so that a statement may leave some parameters unused.
    var oid: UInt32 {
        switch self {
        case .timestamptz: 1184
        case .date: 1082
        case .text: 25
        case .textArray: 1009
        }
    }
}

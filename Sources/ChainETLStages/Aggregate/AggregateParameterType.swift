import ChainETLPostgres

/// The Postgres type of a parameter declared in an aggregate file's `-- params:` header.
enum AggregateParameterType: String, Equatable, Sendable {
    case timestamptz
    case date
    case text
    case textArray = "text[]"

    /// The type to declare when binding, so that a statement may leave some parameters unused.
    var postgresType: PostgresType {
        switch self {
        case .timestamptz: .timestamptz
        case .date: .date
        case .text: .text
        case .textArray: .textArray
        }
    }

    /// The type OID (`postgresType.rawValue`).
    var oid: UInt32 { postgresType.rawValue }
}

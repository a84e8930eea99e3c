/// Built-in type OIDs, for declaring placeholder types in `SQLQuery(_:_:types:)`.
public enum PostgresType: UInt32, Sendable {
    case bool = 16
    case int8 = 20
    case text = 25
    case textArray = 1009
    case jsonb = 3802
    case date = 1082
    case timestamptz = 1184
    case numeric = 1700
}

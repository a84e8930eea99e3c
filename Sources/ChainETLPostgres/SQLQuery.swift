/// A statement plus its bound values: the only way SQL reaches the server.
///
/// Values are always bound as `$1…$n` and sent separately from the text, so they never need
/// escaping and never appear in error messages. Raw text (DDL built with `SQLIdentifier`, COPY
/// statements, scripts) must be spelled `SQLQuery(unsafeSQL:)`.
public struct SQLQuery: Sendable, CustomStringConvertible {
    /// The statement text with `$n` placeholders.
    public let sql: String
    /// The bound values in Postgres text format (nil is NULL), in placeholder order.
    let encodedBindings: [String?]
    /// The declared type of each placeholder; empty lets the server infer every type.
    let parameterTypes: [PostgresType]

    /// A statement whose `$1…$n` placeholders are filled from `bindings` in order.
    public init(_ sql: String, _ bindings: [(any PostgresBindable)?] = []) {
        self.sql = sql
        self.encodedBindings = bindings.map { $0?.postgresText }
        self.parameterTypes = []
    }

    /// A statement with declared placeholder types, for text that may not use every placeholder
    /// (the server cannot infer the type of one it never sees, e.g. `$1` in a file using only `$3`).
    public init(_ sql: String, _ bindings: [(any PostgresBindable)?], types: [PostgresType]) {
        precondition(bindings.count == types.count, "one type per binding")
        self.sql = sql
        self.encodedBindings = bindings.map { $0?.postgresText }
        self.parameterTypes = types
    }

    /// Statement text sent as-is, with no bound values. Identifiers must come from `SQLIdentifier`.
    public init(unsafeSQL sql: String) {
        self.sql = sql
        self.encodedBindings = []
        self.parameterTypes = []
    }

    /// The statement text only: bound values are never printed.
    public var description: String { sql }

    /// Throws if the text or a value contains NUL, which libpq would silently truncate.
    func validate() throws {
        if sql.utf8.contains(0) { throw PostgresError.invalidText(statement: sql, parameter: nil) }
        for (index, value) in encodedBindings.enumerated() where value?.utf8.contains(0) == true {
            throw PostgresError.invalidText(statement: sql, parameter: index + 1)
        }
    }
}

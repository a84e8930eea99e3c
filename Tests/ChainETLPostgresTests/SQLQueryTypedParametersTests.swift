import Testing

@testable import ChainETLPostgres

/// Declared placeholder types, for statements that do not use every placeholder (the `sql` stage
/// binds `$1…$4` to files that may only use `$3`).
@Suite("SQLQuery typed parameters")
struct SQLQueryTypedParametersTests {
    @Test func unusedPlaceholdersNeedDeclaredTypes() throws {
        let database = try TestDatabase()
        let bindings: [(any PostgresBindable)?] = ["2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z", "2026-11-20"]
        #expect(throws: PostgresError.self) {
            try database.connection.execute(SQLQuery("SELECT $3 + 1", bindings))
        }
        let rows = try database.connection.execute(
            SQLQuery("SELECT ($3 + 1)::text", bindings, types: [.timestamptz, .timestamptz, .date]))
        #expect(rows.value(row: 0, column: 0) == "2026-11-21")
    }
}

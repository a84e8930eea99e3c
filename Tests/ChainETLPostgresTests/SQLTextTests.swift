import Foundation
import Testing

@testable import ChainETLPostgres

@Suite("SQL text helpers")
struct SQLTextTests {
    @Test func quotesIdentifiersAndDoublesInnerQuotes() {
        #expect(SQLIdentifier.quote("transfers") == "\"transfers\"")
        #expect(SQLIdentifier.quote("we\"ird name") == "\"we\"\"ird name\"")
        #expect(SQLIdentifier.quote(schema: "etl", "runs") == "\"etl\".\"runs\"")
    }

    @Test func encodesValuesInPostgresTextFormat() {
        #expect(true.postgresText == "t")
        #expect(Int64.min.postgresText == "-9223372036854775808")
        #expect(Double.infinity.postgresText == "Infinity")
        #expect((-Double.infinity).postgresText == "-Infinity")
        #expect(Double.nan.postgresText == "NaN")
        #expect(([0x00, 0xab, 0x10] as [UInt8]).postgresText == "\\x00ab10")
        #expect(Date(timeIntervalSince1970: 1_795_651_212.25).postgresText == "2026-11-26T00:00:12.250000Z")
        #expect(Date(timeIntervalSince1970: -1).postgresText == "1969-12-31T23:59:59.000000Z")
        #expect(
            PostgresTextArray(["2026-11-20", "a\"b\\c", nil]).postgresText == "{\"2026-11-20\",\"a\\\"b\\\\c\",NULL}")
        let query = SQLQuery("SELECT $1, $2", [.null, 5])
        #expect(query.encodedBindings == [nil, "5"])
        #expect(query.description == "SELECT $1, $2")
    }

    @Test func masksBoundValuesEchoedByTheServer() {
        let masked = Redaction.maskingBoundValues(
            in: "Key (api_key)=(sk-live-123456) already exists. Key (n)=(7) in 7th row",
            bindings: ["sk-live-123456", "7", nil])
        #expect(masked == "Key (api_key)=($1) already exists. Key (n)=($2) in 7th row")
    }

    @Test func redactsPasswordsInURLsAndKeyValueStrings() {
        let target = ConnectionTarget.resolve(
            url: "postgresql://alice:s3cr%20t@db.example:5432/chainetl?sslmode=require", environment: [:])
        #expect(target.source == .argument)
        #expect(
            target.redact("postgresql://alice:s3cr%20t@db.example:5432/x") == "postgresql://alice:***@db.example:5432/x"
        )
        #expect(
            ConnectionTarget.redactPasswordPatterns("host=h password='a b\\'c' user=u")
                == "host=h password=*** user=u")
        #expect(
            ConnectionTarget.redactPasswordPatterns("postgresql:///db?host=/tmp&password=hunter2&user=u")
                == "postgresql:///db?host=/tmp&password=***&user=u")
        let fromEnvironment = ConnectionTarget.resolve(
            url: nil, environment: ["DATABASE_URL": "host=h password=pw1234"])
        #expect(fromEnvironment.source == .environment)
        #expect(fromEnvironment.redact("libpq said pw1234") == "libpq said ***")
        #expect(ConnectionTarget.resolve(url: "", environment: [:]).source == .libpqDefaults)
        #expect(ConnectionTarget.resolve(url: "", environment: [:]).conninfo == "")
    }

    @Test func acceptsOnlyNumberedLowercaseMigrationNames() {
        #expect(Migrator.version(ofFileNamed: "0001_ledger.sql") == 1)
        #expect(Migrator.version(ofFileNamed: "0120_daily_2.sql") == 120)
        #expect(Migrator.version(ofFileNamed: "001_short.sql") == nil)
        #expect(Migrator.version(ofFileNamed: "0001_Upper.sql") == nil)
        #expect(Migrator.version(ofFileNamed: "0001_.sql") == nil)
        #expect(Migrator.version(ofFileNamed: "0001_ledger.sql.bak") == nil)
        #expect(Migrator.version(ofFileNamed: "README.md") == nil)
    }

    @Test func locatesServerPositionsAsLineAndColumn() throws {
        let location = try #require(PostgresError.lineAndColumn(of: 9, in: "SELECT 1;\nSELEC 2"))
        #expect(location == (1, 9))
        let second = try #require(PostgresError.lineAndColumn(of: 11, in: "SELECT 1;\nSELEC 2"))
        #expect(second == (2, 1))
    }
}

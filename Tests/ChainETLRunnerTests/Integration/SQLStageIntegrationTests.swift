import ChainETLCore
import ChainETLPostgres
import ChainETLRunner
import Foundation
import Testing

/// `uses: sql` against the real PostgreSQL: bound partition values, one transaction, skip via the ledger.
@Suite("sql stage")
struct SQLStageIntegrationTests {
    static func pipeline(_ file: String) -> String {
        """
        stages:
          - id: daily
            uses: sql
            with:
              file: sql/\(file)
        """
    }

    @Test func bindsThePartitionAndCountsAffectedRows() throws {
        let table = "sql_" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let script = """
            -- $9 in a comment is not a parameter; neither is the ; here
            CREATE TABLE IF NOT EXISTS \(table) (day date, pipeline text, starts timestamptz, ends timestamptz, note text);
            DELETE FROM \(table) WHERE day = $3;
            INSERT INTO \(table) VALUES ($3, $4, $1, $2, 'semi;colon -- not a comment');
            INSERT INTO \(table) SELECT $3, $4, $1, $2, $body$dollar; quoted$body$;
            """
        let fixture = try RunnerFixture(Self.pipeline("daily.sql"), files: ["sql/daily.sql": script])
        let (result, _, _) = try fixture.run()
        #expect(result.exitCode == 0)
        #expect(result.report?.units.first?.counts?.rowsOut == 2)

        let connection = try fixture.connect()
        defer { connection.close() }
        let rows = try connection.execute(
            SQLQuery(
                unsafeSQL:
                    "SELECT day::text, pipeline, (ends - starts)::text, to_char(starts AT TIME ZONE 'UTC', 'HH24:MI'), note FROM \(table) ORDER BY note"
            ))
        #expect(rows.count == 2)
        #expect(rows.value(row: 0, column: 0) == "2026-11-20")
        #expect(rows.value(row: 0, column: 1) == fixture.pipelineName)
        #expect(rows.value(row: 0, column: 2) == "1 day")
        #expect(rows.value(row: 0, column: 3) == "00:00")
        #expect(rows.value(row: 0, column: 4) == "dollar; quoted")
        #expect(rows.value(row: 1, column: 4) == "semi;colon -- not a comment")

        // Up to date while the ledger records it; a database that lost it runs the file again.
        #expect(try fixture.run().result.status("daily") == .skipped)
        try connection.execute(SQLQuery("DELETE FROM etl_stage_runs WHERE pipeline = $1", [fixture.pipelineName]))
        let rerun = try fixture.run()
        #expect(rerun.result.status("daily") == .succeeded)
        #expect(rerun.result.report?.units.first?.reason == "checkpoint not applied to the database")
        let count = try connection.execute(SQLQuery(unsafeSQL: "SELECT count(*) FROM \(table)"))
        #expect(try count.int(row: 0, column: 0) == 2)
    }

    @Test func editingTheFileRerunsTheStage() throws {
        let table = "sql_" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let fixture = try RunnerFixture(
            Self.pipeline("edit.sql"), files: ["sql/edit.sql": "CREATE TABLE IF NOT EXISTS \(table) (day date)"])
        #expect(try fixture.run().result.status("daily") == .succeeded)
        #expect(try fixture.run().result.status("daily") == .skipped)
        let file = fixture.pipelineFile.deletingLastPathComponent().appendingPathComponent("sql/edit.sql")
        try "CREATE TABLE IF NOT EXISTS \(table) (day date);\nINSERT INTO \(table) VALUES ($3)"
            .write(to: file, atomically: true, encoding: .utf8)
        let edited = try fixture.run()
        #expect(edited.result.status("daily") == .succeeded)
        #expect(edited.result.report?.units.first?.reason == "config changed: input.sql.text")
        #expect(edited.result.report?.units.first?.counts?.rowsOut == 1)
    }

    @Test func aFailingStatementRollsBackTheWholeFile() throws {
        let table = "sql_" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let connection = try PostgresConnection.connect(
            url: ProcessInfo.processInfo.environment["DATABASE_URL"], applicationName: "test", logger: .init(label: "t")
        )
        defer { connection.close() }
        try connection.execute(SQLQuery(unsafeSQL: "CREATE TABLE \(table) (day date)"))
        let script = """
            INSERT INTO \(table) VALUES ($3);
            INSERT INTO \(table) VALUES ($3);
            SELECT 1 / 0;
            """
        let fixture = try RunnerFixture(Self.pipeline("broken.sql"), files: ["sql/broken.sql": script])
        let (result, stderr, _) = try fixture.run()
        #expect(result.exitCode == 1)
        let error = try #require(result.report?.units.first?.error)
        #expect(error.contains("statement 3"))
        #expect(error.contains("22012"))
        #expect(stderr.contains("rolled back"))
        let count = try connection.execute(SQLQuery(unsafeSQL: "SELECT count(*) FROM \(table)"))
        #expect(try count.int(row: 0, column: 0) == 0)
    }

    @Test func aMissingFileIsAConfigErrorAtItsLine() throws {
        let fixture = try RunnerFixture(Self.pipeline("absent.sql"))
        let (result, stderr, _) = try fixture.run()
        #expect(result.exitCode == 2)
        #expect(stderr.contains("\(fixture.pipelineName).yaml:7:"))
        #expect(stderr.contains("absent.sql does not exist"))
    }
}

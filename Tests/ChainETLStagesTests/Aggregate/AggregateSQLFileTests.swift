import Foundation
import Testing

@testable import ChainETLStages

@Suite("Aggregate SQL file contract")
struct AggregateSQLFileTests {
    static let sqlDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("pipelines/sql")

    @Test func everyPipelineSQLFileDeclaresOneOutputNamedLikeTheFile() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.sqlDirectory.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(
            names == [
                "daily_address_volume.sql", "daily_token_volume.sql", "entity_daily_volume.sql",
                "execution_daily_volume.sql", "holder_balances.sql", "hourly_token_volume.sql",
                "token_metadata.sql", "token_summary.sql",
            ])
        for name in names {
            let file = try AggregateSQLFile.load(path: Self.sqlDirectory.appendingPathComponent(name).path)
            #expect(file.output + ".sql" == name)
            #expect(Array(file.parameters.prefix(3)) == AggregateSQLFile.dayParameters)
            // Every file starts by checking its window.
            #expect(file.statements.first?.text.hasPrefix("SELECT chainetl_check_") == true, "\(name)")
        }
        let entity = try AggregateSQLFile.load(
            path: Self.sqlDirectory.appendingPathComponent("entity_daily_volume.sql").path)
        #expect(entity.parameters.last == .init(name: "policy", type: .text))
        let executions = try AggregateSQLFile.load(
            path: Self.sqlDirectory.appendingPathComponent("execution_daily_volume.sql").path)
        #expect(executions.parameters.last == .init(name: "statuses", type: .textArray))
        #expect(executions.statements.count == 3)
    }

    @Test func splitsOnlyOnSemicolonsOutsideQuotesAndComments() throws {
        let text = """
            -- output: demo
            -- params: day_start timestamptz, day_end timestamptz, day date
            SELECT 'a;b', "odd;name" FROM t; -- trailing; comment
            /* block; /* nested; */ still comment */
            DELETE FROM t WHERE day = $3 AND note = E'it\\'s;' AND x$y = 1;
            -- only a comment;
            """
        let file = try AggregateSQLFile(path: "demo.sql", text: text)
        #expect(
            file.statements.map(\.text) == [
                "SELECT 'a;b', \"odd;name\" FROM t",
                "DELETE FROM t WHERE day = $3 AND note = E'it\\'s;' AND x$y = 1",
            ])
        #expect(file.statements.map(\.line) == [3, 5])
        #expect(file.statements.map(\.highestParameter) == [0, 3])
    }

    @Test func refusesWhatWouldMakeTheContractAmbiguous() {
        let header = "-- output: demo\n-- params: day_start timestamptz, day_end timestamptz, day date\n"
        #expect(throws: AggregateError.undeclaredParameter(path: "x.sql", line: 3, number: 4, declared: 3)) {
            try AggregateSQLFile(path: "x.sql", text: header + "SELECT $4;")
        }
        #expect(throws: AggregateError.dollarQuoting(path: "x.sql", line: 3)) {
            try AggregateSQLFile(path: "x.sql", text: header + "SELECT $$a$$;")
        }
        #expect(throws: AggregateError.unterminated(path: "x.sql", line: 3, construct: "string literal")) {
            try AggregateSQLFile(path: "x.sql", text: header + "SELECT 'a;\n;")
        }
        #expect(throws: AggregateError.missingOutput(path: "x.sql")) {
            try AggregateSQLFile(
                path: "x.sql", text: "-- params: day_start timestamptz, day_end timestamptz, day date\nSELECT 1;")
        }
        #expect(throws: AggregateError.missingParameters(path: "x.sql")) {
            try AggregateSQLFile(path: "x.sql", text: "-- output: demo\nSELECT 1;")
        }
        #expect(
            throws: AggregateError.wrongDayParameters(
                path: "x.sql", line: 2, found: "day date, day_start timestamptz, day_end timestamptz")
        ) {
            try AggregateSQLFile(
                path: "x.sql",
                text: "-- output: demo\n-- params: day date, day_start timestamptz, day_end timestamptz\nSELECT 1;")
        }
        #expect(throws: AggregateError.invalidParameter(path: "x.sql", line: 2, entry: "policy varchar")) {
            try AggregateSQLFile(
                path: "x.sql",
                text:
                    "-- output: demo\n-- params: day_start timestamptz, day_end timestamptz, day date, policy varchar\nSELECT 1;"
            )
        }
        #expect(throws: AggregateError.noStatements(path: "x.sql")) {
            try AggregateSQLFile(path: "x.sql", text: header + "-- nothing;\n")
        }
    }

    @Test func errorDescriptionsSayWhereAndWhatToDo() {
        let error = AggregateError.undeclaredParameter(path: "pipelines/sql/x.sql", line: 7, number: 5, declared: 4)
        #expect(
            error.description
                == "pipelines/sql/x.sql:7: statement uses $5 but the header declares 4 parameters; declare it in '-- params:'"
        )
    }
}

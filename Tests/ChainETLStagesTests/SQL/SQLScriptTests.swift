import Testing

@testable import ChainETLStages

@Suite("SQLScript")
struct SQLScriptTests {
    @Test func splitsOnSemicolonsOutsideQuotesAndComments() {
        let script = SQLScript(
            """
            -- a comment; with a semicolon and $7
            CREATE TABLE t (a text);
            INSERT INTO t VALUES ('x;y', E'it\\'s; $5', "we;ird") ;
            /* block; /* nested; */ still comment; */ SELECT $2;
            DO $body$ BEGIN PERFORM 1; END $body$;
            SELECT $$a;b$$, $1
            ;;
            """)
        #expect(script.statements.count == 5)
        #expect(script.statements[0].text.hasSuffix("CREATE TABLE t (a text)"))
        #expect(script.statements[0].highestParameter == 0)
        #expect(script.statements[1].text == "INSERT INTO t VALUES ('x;y', E'it\\'s; $5', \"we;ird\")")
        #expect(script.statements[1].highestParameter == 0)
        #expect(script.statements[2].highestParameter == 2)
        #expect(script.statements[3].text == "DO $body$ BEGIN PERFORM 1; END $body$")
        #expect(script.statements[4].text == "SELECT $$a;b$$, $1")
        #expect(script.statements[4].highestParameter == 1)
    }

    @Test func findsTheHighestPlaceholder() {
        let script = SQLScript("DELETE FROM daily WHERE day = $3 AND pipeline = $4 AND ts >= $1")
        #expect(
            script.statements == [
                .init(text: "DELETE FROM daily WHERE day = $3 AND pipeline = $4 AND ts >= $1", highestParameter: 4)
            ])
        #expect(SQLScript("SELECT $12").statements.first?.highestParameter == 12)
    }

    @Test func commentsAndBlanksAloneAreNoStatement() {
        #expect(SQLScript("-- nothing here;\n  \n/* nor; here */").statements.isEmpty)
    }
}

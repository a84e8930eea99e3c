import ChainETLPostgres
import Foundation
import Logging
import Testing

/// Issue 14's replay: a file source wiped after a good load makes the stage fail and the rows
/// stay; a reload that would remove most rows prints a command that, typed as printed, does it.
@Suite("file source wiped after a good load (binary)")
struct FileSourceWipeTests {
    static let body = """
        stages:
          - id: events
            uses: extract/file
            with: { path: executions.ndjson }
          - id: executions
            uses: normalize/executions
            needs: [events]
            with:
              mapping:
                execution_id: id
                venue: venue
                account: account
                executed_at: at
                status: status
                filled_size: size
                fill_price: price
        """

    static func events(_ ids: ClosedRange<Int>, venue: String) -> String {
        ids.map {
            #"{"id":"x\#($0)","venue":"\#(venue)","account":"a","at":"2026-11-30T10:00:00Z","status":"filled","size":"1","price":"2"}"#
        }.joined(separator: "\n") + "\n"
    }

    @Test func theStageFailsAndTheRowsStayThenTheForceHintWorks() throws {
        let pipeline = try E2EPipeline(Self.body)
        let venue = pipeline.name
        let file = pipeline.root.appendingPathComponent("executions.ndjson")
        let connection = try PostgresConnection.connect(
            url: pipeline.databaseURL, applicationName: "e2e", logger: Logger(label: "e2e"))
        defer { connection.close() }
        let count = {
            try connection.execute(SQLQuery("SELECT count(*) FROM executions WHERE venue = $1", [venue]))
                .int(row: 0, column: 0)
        }
        let day = ["--partition", "2026-11-30", "--log-format", "text"]

        try Self.events(1...4, venue: venue).write(to: file, atomically: true, encoding: .utf8)
        let good = try pipeline.run(day)
        #expect(good.exitCode == 0, "\(good.stderr)")
        #expect(try count() == 4)

        try "".write(to: file, atomically: true, encoding: .utf8)
        let wiped = try pipeline.run(day)
        #expect(wiped.exitCode == 1)
        #expect(wiped.stderr.contains("executions.ndjson holds no rows"), "\(wiped.stderr)")
        #expect(try count() == 4)

        try Self.events(1...1, venue: venue).write(to: file, atomically: true, encoding: .utf8)
        let shrunk = try pipeline.run(day)
        #expect(shrunk.exitCode == 1)
        #expect(try count() == 4)
        let message = try #require(shrunk.stderrLines.first { $0.contains("would remove 3 of the 4") })
        let command = try #require(
            message.range(of: "run chainetl run ").flatMap { start in
                message.range(of: ", or set", range: start.upperBound..<message.endIndex).map {
                    String(message[start.upperBound..<$0.lowerBound])
                }
            })
        let forced = try ChainETLProcess.run(
            ["run"] + command.split(separator: " ").map(String.init) + ["--log-format", "text"],
            environment: pipeline.environment)
        #expect(forced.exitCode == 0, "\(forced.stderr)")
        #expect(try count() == 1)
    }
}

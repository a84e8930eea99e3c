import ChainETLCore
import Foundation
import Testing

@testable import ChainETLStages

/// Where a bad execution row is quarantined, and the bounds on sizes and prices (issue 14, item 6).
@Suite("executions bad rows")
struct ExecutionsBadRowTests {
    static let sunday = PartitionDay("2026-11-29")!
    static let monday = PartitionDay("2026-11-30")!

    static let pipeline = """
        stages:
          - id: events
            uses: extract/file
            with:
              path: data/executions.ndjson
              quarantine_threshold: 1
          - id: executions
            uses: normalize/executions
            needs: [events]
            with:
              quarantine_threshold: 1
              mapping:
                execution_id: id
                venue: venue
                account: account
                executed_at: created_at
                status: status
                filled_size: filled_size
                fill_price: fill_price
        """

    static func row(_ id: String, at time: String, size: String = "1", price: String = "2") -> String {
        #"{"id":"\#(id)","venue":"v","account":"a","created_at":"\#(time)","status":"filled","filled_size":"\#(size)","fill_price":"\#(price)"}"#
    }

    static let events = [
        row("mon-good", at: "2026-11-30T10:00:00Z"),
        row("sun-huge", at: "2026-11-29T10:00:00Z", size: "1e400"),
        row("no-day", at: "someday"),
        row("mon-price", at: "2026-11-30T11:00:00Z", price: "2e30"),
    ].joined(separator: "\n")

    @Test func aBadRowIsQuarantinedOnlyOnItsOwnDayOrWhereItsDayCannotBeRead() throws {
        let harness = try StageHarness(Self.pipeline, files: ["data/executions.ndjson": Self.events])
        try harness.run("events", day: Self.monday)
        let monday = try harness.run("executions", day: Self.monday)
        // sun-huge is Sunday's: excluded here, not quarantined again.
        #expect(monday.outcome.counts == RowCounts(rowsIn: 4, rowsOut: 1, quarantined: 2, excluded: 1))
        let mondayQuarantine = try harness.lines("executions", day: Self.monday, sideFile: QuarantineSink.fileName)
        #expect(mondayQuarantine.count == 2)
        #expect(mondayQuarantine.contains { $0.contains("\"line\":3") && $0.contains("executed_at") })
        #expect(mondayQuarantine.contains { $0.contains("\"line\":4") && $0.contains("is not below 1e30") })

        try harness.run("events", day: Self.sunday)
        let sunday = try harness.run("executions", day: Self.sunday)
        #expect(sunday.outcome.counts == RowCounts(rowsIn: 4, rowsOut: 0, quarantined: 2, excluded: 2))
        let sundayQuarantine = try harness.lines("executions", day: Self.sunday, sideFile: QuarantineSink.fileName)
        #expect(sundayQuarantine.contains { $0.contains("\"line\":2") && $0.contains("filled_size") })
        #expect(try harness.value("SELECT count(*) FROM executions") == "1")
    }
}

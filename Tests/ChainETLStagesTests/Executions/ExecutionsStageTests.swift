import ChainETLCore
import Foundation
import Testing

@testable import ChainETLStages

/// extract/file → normalize/executions → aggregate (execution_daily_volume.sql) against PostgreSQL.
@Suite("executions stages")
struct ExecutionsStageTests {
    static let sunday = PartitionDay("2026-11-29")!
    static let monday = PartitionDay("2026-11-30")!
    static let december = PartitionDay("2026-12-01")!

    static let pipeline = """
        stages:
          - id: events
            uses: extract/file
            with:
              path: data/executions.ndjson
              quarantine_threshold: 0.2   # the events below hold one broken line of ten
          - id: executions
            uses: normalize/executions
            needs: [events]
            with:
              quarantine_threshold: 0.2   # and one bad price among Monday's rows
              mapping:
                execution_id: id
                venue: venue
                account: result_data.account
                executed_at: created_at
                status: status
                filled_size: result_data.filled_size
                fill_price: result_data.fill_price
                is_test: test_mode
                symbol: result_data.symbol
          - id: aggregate
            uses: aggregate
            needs: [executions]
            with:
              files: [sql/execution_daily_volume.sql]
          - id: filled_only
            uses: aggregate
            needs: [executions]
            with:
              files: [sql/execution_daily_volume.sql]
              statuses: [FILLED]
        """

    static let events = [
        #"{"id":"e1","venue":"v1","created_at":"2026-11-29T23:59:59Z","status":"filled","result_data":{"account":"a","filled_size":"2","fill_price":"10.5"}}"#,
        #"{"id":"e2","venue":"v1","created_at":"2026-11-30T00:00:00Z","status":"filled","result_data":{"account":"a","filled_size":"1.5","fill_price":"100.10"}}"#,
        #"{"id":"e3","venue":"v1","created_at":"2026-11-30T10:00:00.250Z","status":"partial","result_data":{"account":"a","filled_size":0.25,"fill_price":4}}"#,
        #"{"id":"e4","venue":"v1","created_at":"2026-11-30T11:00:00Z","status":"filled","test_mode":true,"result_data":{"account":"a","filled_size":"1000","fill_price":"1"}}"#,
        #"{"id":"e5","venue":"v1","created_at":"2026-11-30T12:00:00Z","status":"cancelled","result_data":{"account":"b","filled_size":"0"}}"#,
        #"{"id":"e6","venue":"v2","created_at":"2026-11-30T13:00:00+05:00","status":"FILLED","test_mode":"false","result_data":{"account":"a","filled_size":"3","fill_price":"0.1"}}"#,
        #"{"id":"e7","venue":"v1","created_at":"2026-12-01T00:00:00Z","status":"filled","result_data":{"account":"a","filled_size":"1","fill_price":"7"}}"#,
        #"{"id":"e8","venue":"v1","created_at":"2026-11-30T09:00:00Z","status":"filled","result_data":{"account":"a","filled_size":"1","fill_price":"12,5"}}"#,
        #"{"id":"e9", broken"#,
        #"{"id":"e2","venue":"v1","created_at":"2026-11-30T00:00:00Z","status":"filled","result_data":{"account":"a","filled_size":"2","fill_price":"100.10"}}"#,
    ].joined(separator: "\n")

    static func harness(events: String = events) throws -> StageHarness {
        try StageHarness(
            pipeline, files: ["data/executions.ndjson": events], repositoryFiles: ["sql/execution_daily_volume.sql"])
    }

    static func load(_ harness: StageHarness, _ days: [PartitionDay], aggregate: String = "aggregate") throws {
        for day in days {
            try harness.run("events", day: day)
            try harness.run("executions", day: day)
            try harness.run(aggregate, day: day)
        }
    }

    @Test func nestedFieldsExactDecimalsTestModeAndStatusesGiveTheDailyVolume() throws {
        let harness = try Self.harness()
        let events = try harness.run("events", day: Self.monday)
        #expect(events.outcome.counts == RowCounts(rowsIn: 10, rowsOut: 9, quarantined: 1))
        let quarantinedEvent = try harness.lines("events", day: Self.monday, sideFile: QuarantineSink.fileName)
        #expect(quarantinedEvent.count == 1)
        #expect(quarantinedEvent.first?.hasPrefix(#"{"file":"data/executions.ndjson","line":9,"#) == true)

        let load = try harness.run("executions", day: Self.monday)
        #expect(load.outcome.counts == RowCounts(rowsIn: 9, rowsOut: 5, quarantined: 1, duplicates: 1, excluded: 2))
        let quarantined = try harness.lines("executions", day: Self.monday, sideFile: QuarantineSink.fileName)
        #expect(quarantined.count == 1)
        #expect(quarantined.first?.contains(#""line":8"#) == true)
        #expect(quarantined.first?.contains("fill_price (result_data.fill_price) is invalid") == true)
        #expect(load.outcome.details["quarantine.examples"]?.hasPrefix("data/executions.ndjson:8: ") == true)

        #expect(
            try harness.rows(
                """
                SELECT execution_id, venue, account, executed_at::text, status, coalesce(filled_size::text, '∅'),
                       coalesce(fill_price::text, '∅'), is_test, coalesce(symbol, '∅'), source, pipeline = $1
                FROM executions ORDER BY execution_id
                """, [harness.pipelineName]) == [
                    "e2|v1|a|2026-11-30 00:00:00+00|filled|2|100.10|f|∅|executions|t",
                    "e3|v1|a|2026-11-30 10:00:00.25+00|partial|0.25|4|f|∅|executions|t",
                    "e4|v1|a|2026-11-30 11:00:00+00|filled|1000|1|t|∅|executions|t",
                    "e5|v1|b|2026-11-30 12:00:00+00|cancelled|0|∅|f|∅|executions|t",
                    "e6|v2|a|2026-11-30 08:00:00+00|filled|3|0.1|f|∅|executions|t",
                ])

        let aggregate = try harness.run("aggregate", day: Self.monday)
        #expect(aggregate.outcome.details["execution_daily_volume.rows"] == "2")
        // 2 × 100.10 + 0.25 × 4 (partial counts; test mode and cancelled do not).
        #expect(
            try harness.rows(
                "SELECT venue, account, day::text, volume::text, execution_count FROM execution_daily_volume ORDER BY venue"
            )
                == ["v1|a|2026-11-30|201.20|2", "v2|a|2026-11-30|0.3|1"])

        // Statuses outside the configured set are not volume.
        try harness.run("filled_only", day: Self.monday)
        #expect(
            try harness.rows("SELECT venue, volume::text, execution_count FROM execution_daily_volume ORDER BY venue")
                == ["v1|200.20|1", "v2|0.3|1"])
    }

    @Test func periodsStartOnMondayAndOnTheFirstInUTC() throws {
        let harness = try Self.harness()
        try Self.load(harness, [Self.sunday, Self.monday, Self.december])
        let periods = try harness.rows(
            """
            SELECT period, volume::text, execution_count FROM execution_period_volume('2026-12-01 12:00:00+00')
            WHERE scope = 'venue_account' AND venue = 'v1' AND account = 'a' ORDER BY period
            """)
        // all_time = 21 (Sunday) + 201.20 (Monday) + 7 (December 1st); this_week starts Monday 00:00.
        #expect(periods == ["all_time|229.20|4", "this_month|7|1", "this_week|208.20|3", "today|7|1"])
        let sundayWeek = try harness.value(
            """
            SELECT volume::text FROM execution_period_volume('2026-11-29 23:59:59+00')
            WHERE scope = 'all' AND period = 'this_week'
            """)
        #expect(sundayWeek == "21.0")
    }

    @Test func anEmptyFileIsAnErrorNeverZeroRows() throws {
        let harness = try Self.harness(events: "\n  \n")
        #expect {
            try harness.run("events", day: Self.monday)
        } throws: { error in
            (error as? FileSourceError) == .emptyFile(stage: "events", path: "data/executions.ndjson")
        }
    }

    @Test func reloadingADayReplacesItsRowsAndMakesTheAggregateRunAgain() throws {
        let harness = try Self.harness()
        try Self.load(harness, [Self.monday])
        #expect(try harness.isUpToDate("executions", day: Self.monday))
        #expect(try harness.isUpToDate("aggregate", day: Self.monday))

        // A corrected file without e3: the reload drops it and the aggregate is stale until rerun.
        let corrected = Self.events.split(separator: "\n").filter { !$0.contains(#""id":"e3""#) }
            .joined(separator: "\n")
        try harness.rewrite("data/executions.ndjson", corrected)
        #expect(try !harness.isUpToDate("events", day: Self.monday))
        try harness.run("events", day: Self.monday)
        let reload = try harness.run("executions", day: Self.monday)
        #expect(reload.outcome.details["executions.removed"] == "5")
        #expect(reload.outcome.details["executions.inserted"] == "4")
        #expect(try harness.value("SELECT count(*) FROM executions WHERE execution_id = 'e3'") == "0")
        #expect(try !harness.isUpToDate("aggregate", day: Self.monday))
        try harness.run("aggregate", day: Self.monday)
        #expect(try harness.isUpToDate("aggregate", day: Self.monday))
        #expect(try harness.value("SELECT volume::text FROM execution_daily_volume WHERE venue = 'v1'") == "200.20")

        // A database that lost the load entry loads again.
        try harness.connection.execute(.init("DELETE FROM etl_loads WHERE stage = 'executions'"))
        #expect(try !harness.isUpToDate("executions", day: Self.monday))
    }
}

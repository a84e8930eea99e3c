import ChainETLCore
import ChainETLPostgres
import Foundation
import Logging
import Testing

@testable import ChainETLRunner

@Suite("Rows per day against the trailing 7-day median")
struct DailyRowsComparisonTests {
    let last = PartitionDay("2026-11-20")!

    @Test("an empty day with history is flagged; a thin day below the share too; a normal one not")
    func compare() {
        var counts: [Int: [PartitionDay: Int]] = [1: [:]]
        for offset in 1...10 { counts[1]?[last.advanced(by: -offset)] = 100 }
        counts[1]?[last.advanced(by: -2)] = 49  // below 50 % of 100
        counts[1]?[last.advanced(by: -1)] = 50  // exactly 50 %: not below
        // `last` itself is missing: the empty upstream day.
        let rows = DailyRowsComparison.compare(
            counts: counts, chains: [1], days: (0..<3).map { last.advanced(by: -$0) }, share: 0.5)
        #expect(rows.map(\.day) == [last.advanced(by: -2), last.advanced(by: -1), last])
        #expect(rows.map(\.rows) == [49, 50, 0])
        #expect(rows.map(\.flagged) == [true, false, true])
        #expect(rows.map(\.trailingMedian) == [100, 100, 100])
        // share 0 flags nothing, not even the empty day.
        #expect(
            DailyRowsComparison.compare(counts: counts, chains: [1], days: [last], share: 0).allSatisfy { !$0.flagged })
    }

    @Test("days before a chain's first rows are no history; a chain with no rows at all is flagged once")
    func history() {
        let counts: [Int: [PartitionDay: Int]] = [1: [last.advanced(by: -1): 70, last: 80]]
        let rows = DailyRowsComparison.compare(
            counts: counts, chains: [1, 25], days: (0..<5).map { last.advanced(by: -$0) }, share: 0.5)
        let chain1 = rows.filter { $0.chainID == 1 }
        // Only the first day with rows and after are shown; the first has no history, the next a median of 1 day.
        #expect(chain1.map(\.day) == [last.advanced(by: -1), last])
        #expect(chain1.map(\.trailingMedian) == [nil, 70])
        #expect(chain1.allSatisfy { !$0.flagged })
        let chain25 = rows.filter { $0.chainID == 25 }
        #expect(chain25 == [ChainDayRows(chainID: 25, day: last, rows: 0, trailingMedian: nil, flagged: true)])
        #expect(DailyRowsComparison.median([3, 1, 2, 10]) == 2.5)
        #expect(DailyRowsComparison.median([5]) == 5)
    }

    @Test("against the real database: the report flags the chain whose upstream day came back empty")
    func emptyUpstreamDayInTheReport() throws {
        let database = try OperationsDatabase()
        // Chain 1: 120 transfers a day for two weeks, none on the last day (no daily_token_volume row
        // at all, as after an extract that got `result: []`). Chain 25: steady, over two tokens.
        for offset in 0..<16 {
            let day = last.advanced(by: -offset).description
            if offset > 0 {
                try insert(database, chain: 1, token: "0x00000000000000000000000000000000000000a1", day: day, rows: 120)
            }
            try insert(database, chain: 25, token: "0x00000000000000000000000000000000000000b1", day: day, rows: 30)
            try insert(database, chain: 25, token: "0x00000000000000000000000000000000000000b2", day: day, rows: 12)
        }
        let rows = try DailyRowsComparison.read(
            connection: database.connection, chains: [1, 25], through: last, share: 0.5)
        #expect(rows.count == 2 * DailyRowsComparison.shownDays)
        #expect(rows.filter(\.flagged).map { "\($0.chainID) \($0.day)" } == ["1 \(last)"])
        #expect(rows.first { $0.chainID == 25 && $0.day == last }?.rows == 42)

        var report = RunReport(
            runID: "r-low", pipeline: "nightly", pipelineFile: "nightly.yaml", arguments: [],
            startedAt: Date(timeIntervalSince1970: 1_795_000_000), partitions: [last])
        report.status = .succeeded
        let workdir = FileManager.default.temporaryDirectory.appendingPathComponent("low-day-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: workdir) }
        let page = try #require(
            RunReportPage.write(
                report: report, workdir: workdir, connection: database.connection,
                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, chainIDs: [1, 25], lowDayShare: 0.5))
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.contains("<li>chain 1 \(last): 0 rows, 0 % of the trailing median 120 (below 50 %)</li>"))
        #expect(html.components(separatedBy: "<li>chain").count - 1 == 1)
    }

    func insert(_ database: OperationsDatabase, chain: Int, token: String, day: String, rows: Int) throws {
        try database.connection.execute(
            SQLQuery(
                """
                INSERT INTO daily_token_volume (chain_id, token_address, day, transfer_count, volume_raw, unique_senders,
                  unique_receivers, mint_count, mint_raw, burn_count, burn_raw, all_transfer_count, all_value_raw,
                  token_decimals, last_transfer_at)
                VALUES ($1, $2, $3::date, $4, 1, 1, 1, 0, 0, 0, 0, $4, 1, 6, $3::date)
                """, [chain, token, day, rows]))
    }
}

import ChainETLCore
import ChainETLStages
import Foundation

@testable import ChainETLRunner

/// A run with known units, events and volumes, for the HTML report tests and `make report-check`.
enum OperationsReportFixtures {
    static let start = Date(timeIntervalSince1970: 1_795_000_000)
    static let day1 = PartitionDay("2026-11-16")!
    static let day2 = PartitionDay("2026-11-17")!
    /// 2^256 − 1: printed digit for digit, never through Double.
    static let hugeVolume = "115792089237316195423570985008687907853269984665640564039457584007913129639935"

    static var document: RunReportDocument {
        func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }
        typealias Unit = RunReportDocument.Unit
        typealias Rows = RunReportDocument.RowAccounting
        let units: [Unit] = [
            Unit(
                stage: "extract", kind: "extract/etherscan-logs", partition: day1, status: "succeeded",
                reason: "no checkpoint", startedAt: at(0), finishedAt: at(42), rows: Rows(rowsIn: 5200, rowsOut: 5200)),
            Unit(
                stage: "normalize", kind: "normalize", partition: day1, status: "succeeded", reason: "upstream changed",
                startedAt: at(42.5), finishedAt: at(50),
                rows: Rows(rowsIn: 5200, rowsOut: 5150, quarantined: 5, duplicates: 40, excluded: 5),
                diff: normalizeDiff),
            Unit(
                stage: "load", kind: "load", partition: day1, status: "succeeded", reason: "upstream changed",
                startedAt: at(50.2), finishedAt: at(61), rows: Rows(rowsIn: 5150, rowsOut: 5150)),
            Unit(
                stage: "extract", kind: "extract/etherscan-logs", partition: day2, status: "skipped",
                reason: "checkpoint matches config and inputs", rows: Rows(rowsIn: 4800, rowsOut: 4800)),
            Unit(
                stage: "normalize", kind: "normalize", partition: day2, status: "failed", reason: "selected",
                startedAt: at(1), finishedAt: at(9), rows: Rows(rowsIn: 4800, rowsOut: 4700, quarantined: 90),
                error: "quarantined share 1.9 % exceeds 0.1 % <see quarantine.ndjson.gz>"),
            Unit(stage: "load", kind: "load", partition: day2, status: "blocked", reason: "normalize failed"),
        ]
        let events = [
            RunReportDocument.Event(
                at: at(12), stage: "extract", partition: day1, kind: "http.retry", message: "retrying after a timeout",
                details: ["attempt": "2", "delay.ms": "800"]),
            RunReportDocument.Event(
                at: at(20), stage: "extract", partition: day1, kind: "rate.throttled",
                message: "explorer throttled the key", details: ["key": "key-00ff00ff00ff00ff"]),
            RunReportDocument.Event(
                at: at(8), stage: "normalize", partition: day2, kind: "rows.quarantined", message: "rows quarantined",
                details: ["rows.count": "90"]),
            RunReportDocument.Event(
                at: at(30), stage: "extract", partition: day1, kind: "http.retry", message: htmlErrorMessage,
                details: ["attempt": "1", "body": "<html>\r\n<body>\r\n<h1>502</h1>\r\n</body></html>"]),
        ]
        let days = [PartitionDay("2026-11-15")!, day1, day2]
        var volumes: [RunReportDocument.DailyVolume] = []
        for (index, day) in days.enumerated() {
            volumes.append(
                RunReportDocument.DailyVolume(
                    token: "USDC 0xa0b8…eb48 · chain 1", day: day,
                    volume: ["1234567891", "98765432100000", "5000000"][index],
                    decimals: 6, usd: ["1234.567891", "98765432.1", "5.000000"][index], symbol: "USDC"))
        }
        for (index, day) in days.enumerated() {
            volumes.append(
                RunReportDocument.DailyVolume(
                    token: "WETH 0xc02a…6cc2 · chain 1", day: day,
                    volume: ["2000000000000000000", hugeVolume, "1"][index], decimals: 18, symbol: "WETH"))
        }
        return RunReportDocument(
            pipeline: "nightly", runID: "20261118T031500Z-4f2a", status: "failed", partitions: [day1, day2],
            startedAt: start, finishedAt: at(61.5),
            summary: "run 20261118T031500Z-4f2a: 3 stages ok, 1 skipped, 1 failed, 1 blocked, 2 partitions, 61.5s",
            resumeCommand: "chainetl run pipelines/nightly.yaml --partition 2026-11-17 --select failed", units: units,
            events: events, dailyVolumes: volumes, chainDailyRows: dailyRows)
    }

    /// An explorer's nginx error page, as a retry event's message carries it.
    static let htmlErrorMessage =
        "HTTP 502 from explorer: <html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
        + "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

    /// normalize on day 1 replaced a checkpoint: a renamed symbol changed 120 rows.
    static var normalizeDiff: UnitDiff {
        var diff = UnitDiff(examplesLimit: 20)
        diff.previousCheckpointHash = "3f1e"
        diff.key = "transfer_id"
        diff.rowsBefore = 5150
        diff.rowsAfter = 5150
        diff.changed = 120
        diff.unchanged = 5030
        diff.changedRows = [
            UnitDiff.ChangedRow(
                id: "9c0ffee1234567890abcdef1234567890",
                columns: [UnitDiff.ColumnChange(column: "token_symbol", before: "\"USDC\"", after: "\"USDX\"")])
        ]
        diff.aggregates = [
            DiffSnapshotChange(
                entity: "1/0xa0b8…eb48/2026-11-16", metric: "transfer_count", before: "5000", after: "5120",
                delta: "+120")
        ]
        return diff
    }

    /// Chain 1 has 1,000 rows a day and nothing on day 2 (an empty upstream day); chain 25 is steady.
    static var dailyRows: [ChainDayRows] {
        var counts: [Int: [PartitionDay: Int]] = [1: [:], 25: [:]]
        for offset in 0..<12 {
            let day = day1.advanced(by: -offset)
            counts[1]?[day] = 1000 + offset
            counts[25]?[day] = 400
        }
        counts[25]?[day2] = 380
        let days = (0..<5).map { day2.advanced(by: -$0) }
        return DailyRowsComparison.compare(counts: counts, chains: [1, 25], days: days, share: 0.5)
    }
}

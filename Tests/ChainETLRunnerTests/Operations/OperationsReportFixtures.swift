import ChainETLCore
import ChainETLRunner
import Foundation

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
                rows: Rows(rowsIn: 5200, rowsOut: 5150, quarantined: 5, duplicates: 40, excluded: 5)),
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
        ]
        let days = [PartitionDay("2026-11-15")!, day1, day2]
        var volumes: [RunReportDocument.DailyVolume] = []
        for (index, day) in days.enumerated() {
            volumes.append(
                RunReportDocument.DailyVolume(
                    token: "USDC 0xa0b8…eb48 · chain 1", day: day,
                    volume: ["1234567891", "98765432100000", "5000000"][index],
                    decimals: 6))
        }
        for (index, day) in days.enumerated() {
            volumes.append(
                RunReportDocument.DailyVolume(
                    token: "WETH 0xc02a…6cc2 · chain 1", day: day,
                    volume: ["2000000000000000000", hugeVolume, "1"][index], decimals: 18))
        }
        return RunReportDocument(
            pipeline: "nightly", runID: "20261118T031500Z-4f2a", status: "failed", partitions: [day1, day2],
            startedAt: start, finishedAt: at(61.5),
            summary: "run 20261118T031500Z-4f2a: 3 stages ok, 1 skipped, 1 failed, 1 blocked, 2 partitions, 61.5s",
            resumeCommand: "chainetl run pipelines/nightly.yaml --partition 2026-11-17 --select failed", units: units,
            events: events, dailyVolumes: volumes)
    }
}

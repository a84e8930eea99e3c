import ChainETLCore
import ChainETLExplorers
import ChainETLStages
import Foundation
import Testing

@testable import ChainETLRunner

@Suite("chainetl plan: call estimates and quota shares")
struct PipelinePlannerTests {
    static func scope(targets: Int, offset: Int = 1000) throws -> ExtractionScope {
        let chain = ChainSpec(
            name: "ethereum", chainID: 1, explorer: .etherscan, baseURL: "https://api.example.org/v2/api",
            apiKeyEnv: "KEY", ratePerSecond: 5, ratePerDay: 100_000, confirmations: 12, tokens: [], accounts: [],
            location: SourceLocation(file: "p.yaml", line: 1, column: 1))
        let targets = try (0..<targets).map { index in
            try ExtractionTarget(contract: "0x" + String(repeating: "\(index % 10)", count: 40))
        }
        return ExtractionScope(chain: chain, source: .etherscanLogs, targets: targets, offset: offset)
    }

    @Test func withoutHistoryTheEstimateIsTheMinimumOfOnePagePerTarget() throws {
        let estimate = PipelinePlanner.estimate(
            stageID: "extract", scope: try Self.scope(targets: 4), partitions: 7, history: nil)
        #expect(estimate.callsPerPartition == 3 + 4)
        #expect(estimate.totalCalls == 49)
        #expect(estimate.basis == .minimum)
        #expect(
            PipelinePlanner.describe(estimate).hasPrefix(
                "extract on ethereum: ~7 calls × 7 partitions = ~49 (4 targets; a minimum"))
    }

    @Test func historyWithTheSameTargetsUsesTheRecordedCallsAndOtherwiseTheRowVolume() throws {
        let history = ExtractHistory(
            partition: PartitionDay("2026-11-20")!, targets: 2, rows: 5_000, calls: 12, blocks: 7_200)
        let same = PipelinePlanner.estimate(
            stageID: "extract", scope: try Self.scope(targets: 2), partitions: 3, history: history)
        // Model: 3 + 2 × (2,500 / 1,000 → 2 full pages + 1) = 9; the recorded 12 is higher and wins.
        #expect(same.callsPerPartition == 12)
        #expect(same.rowsPerDay == 5_000 && same.blocksPerDay == 7_200)
        #expect(same.basis == .history(PartitionDay("2026-11-20")!))
        let more = PipelinePlanner.estimate(
            stageID: "extract", scope: try Self.scope(targets: 4, offset: 500), partitions: 1, history: history)
        // 2,500 rows per target at 500 a page: 5 full pages + 1 each, plus the day's 3.
        #expect(more.callsPerPartition == 3 + 4 * 6)
        #expect(more.rowsPerDay == 10_000)
        let none = PipelinePlanner.estimate(
            stageID: "extract", scope: try Self.scope(targets: 2), partitions: 0, history: history)
        #expect(PipelinePlanner.describe(none) == "extract on ethereum: no calls (skipped in every partition)")
    }

    @Test func aProbeExtrapolatesRowsPerTarget() throws {
        let probe = ExplorerProbe.Result(
            day: PartitionDay("2026-11-21")!, blocksPerDay: 43_200, rowsPerTarget: 1_500, calls: 6)
        let estimate = PipelinePlanner.estimate(
            stageID: "extract", scope: try Self.scope(targets: 3), partitions: 2, probe: probe)
        #expect(estimate.callsPerPartition == 3 + 3 * 2)
        #expect(estimate.rowsPerDay == 4_500)
        #expect(
            PipelinePlanner.describe(estimate).hasSuffix(
                "(3 targets, 43200 blocks/day, ~4500 rows/day; from a probe of 2026-11-21)"))
    }

    @Test func theQuotaLineGivesTheShareWhatIsLeftAndWarnsWhenTheRunWouldNotFit() {
        var share = KeyQuotaShare(
            fingerprint: "key-0123456789abcdef", variables: ["ETHERSCAN_API_KEY"], chains: ["ethereum", "cronos"],
            perDay: 1_000, perSecond: 5, plannedCalls: 250, usedToday: 100)
        let today = PartitionDay("2026-11-22")!
        #expect(
            share.line(today: today, usedTodayNote: nil)
                == "key-0123456789abcdef (ETHERSCAN_API_KEY; chains ethereum, cronos): ~250 calls = 25.0 % of per_day 1000; "
                + "used today (2026-11-22) 100, 900 left; ~53 s at 4.75 calls/s")
        share.plannedCalls = 2_500
        #expect(share.line(today: today, usedTodayNote: nil).contains("WARNING: more than today's quota left"))
        #expect(share.line(today: today, usedTodayNote: nil).contains("spread the backfill over 3 days"))
        share.usedToday = nil
        #expect(share.line(today: today, usedTodayNote: "unknown").contains("; used today: unknown;"))
        share.perDay = nil
        #expect(share.line(today: today, usedTodayNote: nil).contains("no per_day limit configured"))
    }
}

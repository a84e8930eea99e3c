import ChainETLCore
import ChainETLSimulator
import Foundation
import Testing

@testable import ChainETLStages

@Suite("dedupe stage")
struct DedupeStageTests {
    static let day = PartitionDay("2026-11-20")!

    static let stages = """
          - id: extract_logs
            uses: test/emit
            with: { rows: 0 }
          - id: extract_tokentx
            uses: test/emit
            with: { rows: 0 }
          - id: normalize_logs
            uses: normalize/transfers
            needs: [extract_logs]
          - id: normalize_tokentx
            uses: normalize/transfers
            needs: [extract_tokentx]
          - id: dedupe
            uses: dedupe
            needs: [normalize_logs, normalize_tokentx]

        """

    /// getLogs per token and tokentx per busy account (a transfer between two of them is listed
    /// under both) for the same day of chains 1 and 25, normalized separately.
    static func prepare(_ harness: TransferStageHarness) throws -> [SimulatedDay] {
        let days = try [1, 25].map { try SimulatedDay(chainID: $0, day: day, seed: 5, transfersPerDay: 60) }
        try harness.writeRaw(
            "extract_logs", day: day,
            lines: days.flatMap { $0.rawLines(.etherscanLogs, targets: $0.tokens.map { .token($0.address) }) })
        try harness.writeRaw(
            "extract_tokentx", day: day,
            lines: days.flatMap {
                $0.rawLines(.etherscanTokenTransfers, targets: $0.busiestAccounts(6).map { .account($0) })
            })
        try harness.run("normalize_logs", day: day)
        try harness.run("normalize_tokentx", day: day)
        return days
    }

    @Test("getLogs and tokentx of the same day dedupe to each transfer once, counting the duplicates")
    func acrossSources() throws {
        let harness = try TransferStageHarness(stages: Self.stages)
        let days = try Self.prepare(harness)
        let truth = days.flatMap { $0.truth.transfers ?? [] }
        let truthIDs = Set(truth.map(\.transferID))
        let tokentx = try harness.records("normalize_tokentx", day: Self.day)
        let tokentxIDs = Set(tokentx.map(\.transferID))
        // Account runs mix tokens and go back in blocks between accounts; occurrences stay right.
        #expect(tokentxIDs.isSubset(of: truthIDs))
        #expect(tokentx.count > tokentxIDs.count, "some transfers should be listed under two accounts")
        #expect(tokentx.contains { $0.occurrence == 1 })

        let (outcome, manifest) = try harness.run("dedupe", day: Self.day)
        let records = try harness.records("dedupe", day: Self.day)
        #expect(records.count == truth.count)
        #expect(Set(records.map(\.transferID)) == truthIDs)
        #expect(Set(records.map(\.transferID)).count == records.count)
        #expect(records.map(\.blockNumber) == records.map(\.blockNumber).sorted())
        // The first input's copy wins: getLogs, which knows the log index.
        #expect(records.allSatisfy { $0.source == .etherscanLogs && $0.logIndex != nil })

        let logs = try harness.records("normalize_logs", day: Self.day)
        #expect(manifest.counts.rowsIn == logs.count + tokentx.count)
        #expect(manifest.counts.duplicates == tokentx.count)
        #expect(manifest.counts.rowsOut == truth.count)
        #expect(manifest.counts.balances && outcome.counts == manifest.counts)
        #expect(manifest.details["input.normalize_tokentx.rows"] == "\(tokentx.count)")
        let byID = Dictionary(truth.map { ($0.transferID, $0) }, uniquingKeysWith: { first, _ in first })
        for record in records.prefix(200) {
            let want = try #require(byID[record.transferID])
            #expect(record.value.description == want.value && record.occurrence == want.occurrence)
        }
    }

    @Test("more runs than the fan-in are merged in passes with the same result")
    func mergePasses() throws {
        let harness = try TransferStageHarness(stages: Self.stages)
        _ = try Self.prepare(harness)
        let (_, single) = try harness.run("dedupe", day: Self.day)
        let expected = try harness.records("dedupe", day: Self.day)
        #expect(single.details["merge.passes"] == "1")

        var stage = try #require(try harness.stage("dedupe") as? DedupeStage)
        stage.configuration.fanIn = 3
        let (_, passed) = try harness.run("dedupe", day: Self.day, stage: stage)
        let runs = try #require(Int(passed.details["runs"] ?? ""))
        try #require(runs > 9)
        #expect(Int(passed.details["merge.passes"] ?? "") ?? 0 >= 3)
        #expect(passed.counts == single.counts)
        #expect(try harness.records("dedupe", day: Self.day) == expected)
        let files = try FileManager.default.contentsOfDirectory(
            atPath: harness.location("dedupe", Self.day).directory.path)
        #expect(!files.contains { $0.hasPrefix("merge-") })
    }

    @Test("a damaged input part is refused with the checkpoint error")
    func corruptInput() throws {
        let harness = try TransferStageHarness(stages: Self.stages)
        _ = try Self.prepare(harness)
        let directory = harness.location("normalize_tokentx", Self.day).directory
        let part = directory.appendingPathComponent("part-00000.ndjson.gz")
        var bytes = try Data(contentsOf: part)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: part)
        #expect(throws: CheckpointError.self) { try harness.run("dedupe", day: Self.day) }
        #expect(try CheckpointStore.existingManifest(at: harness.location("dedupe", Self.day)) == nil)
    }
}

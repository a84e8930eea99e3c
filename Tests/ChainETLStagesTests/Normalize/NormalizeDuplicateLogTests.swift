import ChainETLCore
import Testing

@testable import ChainETLStages

/// A getLogs row the explorer sent twice is one log, not a second transfer (issue 14, item 3).
@Suite("Normalize: verbatim duplicate logs")
struct NormalizeDuplicateLogTests {
    @Test("the same log twice (one page or two) is one transfer and one duplicate")
    func repeatedLogIsADuplicate() throws {
        let run = try NormalizeRun([Rows.logLine(), Rows.logLine(), Rows.logLine(["logIndex": "\"0x4\""])])
        let records = try run.parsedRecords()
        #expect(run.outcomes == [.record, .duplicate, .record])
        #expect(records.map(\.occurrence) == [0, 1])
        #expect(records.map(\.logIndex) == [3, 4])
        #expect(run.counts.rowsIn == 3 && run.counts.rowsOut == 2 && run.counts.duplicates == 1)
        #expect(run.counts.isBalanced)
    }

    @Test("a repeat after other logs of the block does not raise the occurrence of what follows")
    func repeatInsideABlock() throws {
        let run = try NormalizeRun([
            Rows.logLine(), Rows.logLine(["logIndex": "\"0x4\""]), Rows.logLine(),
            Rows.logLine(["logIndex": "\"0x4\""]), Rows.logLine(["logIndex": "\"0x5\""]),
        ])
        #expect(run.outcomes == [.record, .record, .duplicate, .duplicate, .record])
        #expect(try run.parsedRecords().map(\.occurrence) == [0, 1, 2])
        #expect(run.counts.duplicates == 2 && run.counts.isBalanced)
    }

    @Test("the same log index in another transaction or block is another log")
    func logIndexIsScopedByTransactionAndBlock() throws {
        let otherTx = "0x" + String(repeating: "a", count: 64)
        let run = try NormalizeRun([
            Rows.logLine(), Rows.logLine(["transactionHash": "\"\(otherTx)\""]),
            Rows.logLine(["blockNumber": "\"0xa46495\""]),
        ])
        #expect(run.outcomes == [.record, .record, .record])
        #expect(run.counts.duplicates == 0)
    }

    @Test("rows without logIndex (tokentx) keep the occurrence rule")
    func tokentxRowsAreNeverDuplicates() throws {
        let run = try NormalizeRun([Rows.tokentxLine(), Rows.tokentxLine()])
        #expect(run.outcomes == [.record, .record])
        #expect(try run.parsedRecords().map(\.occurrence) == [0, 1])
    }

    @Test("Blockscout v2 items carry log_index: a repeated item is a duplicate")
    func blockscoutV2Repeat() throws {
        let run = try NormalizeRun([Rows.v2Line(), Rows.v2Line()])
        #expect(run.outcomes == [.record, .duplicate])
    }

    @Test("the stage's manifest counts the repeat in duplicates and balances")
    func stageManifestBalances() throws {
        let harness = try TransferStageHarness(stages: NormalizeStageTests.stages)
        let days = try NormalizeStageTests.rawDays()
        var lines = NormalizeStageTests.logLines(days)
        // An ERC-20 log of chain 1, sent three times in a row.
        let index = try #require(
            lines.indices.first { index in
                (try? NormalizeRun([lines[index]], partition: NormalizeStageTests.day))?.outcomes == [.record]
            })
        lines.insert(contentsOf: [lines[index], lines[index]], at: index + 1)
        try harness.writeRaw("extract", day: NormalizeStageTests.day, lines: lines)
        let (_, manifest) = try harness.run("normalize", day: NormalizeStageTests.day)
        #expect(manifest.counts.duplicates == 2)
        let counts = manifest.counts
        #expect(counts.rowsIn == counts.rowsOut + counts.quarantined + counts.duplicates + counts.excluded)
        let records = try harness.records("normalize", day: NormalizeStageTests.day)
        let truth = days.flatMap { try! #require($0.truth.transfers) }
        #expect(records.count == truth.count)
        #expect(Set(records.map(\.transferID)) == Set(truth.map(\.transferID)))
    }
}

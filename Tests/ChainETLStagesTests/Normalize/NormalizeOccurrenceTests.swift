import ChainETLCore
import Testing

@testable import ChainETLStages

@Suite("Normalize: occurrences, exclusions and accounting")
struct NormalizeOccurrenceTests {
    @Test("two identical transfers in one transaction get occurrences 0 and 1, from either source")
    func identicalTransfers() throws {
        let logs = try NormalizeRun([Rows.logLine(["logIndex": "\"0x3\""]), Rows.logLine(["logIndex": "\"0x4\""])])
            .parsedRecords()
        let tokentx = try NormalizeRun([Rows.tokentxLine(), Rows.tokentxLine()]).parsedRecords()
        try #require(logs.count == 2 && tokentx.count == 2)
        #expect(logs.map(\.occurrence) == [0, 1])
        #expect(tokentx.map(\.occurrence) == [0, 1])
        #expect(logs[0].transferID != logs[1].transferID)
        #expect(logs.map(\.transferID) == tokentx.map(\.transferID))
        let expected = TransferIdentity(
            chainID: 1, txHash: Rows.tx, tokenAddress: Rows.token, fromAddress: Rows.from, toAddress: Rows.to,
            value: "177", occurrence: 1)
        #expect(logs[1].transferID == expected.transferID)
    }

    @Test("occurrences count only identical tuples: another value, tx or block starts at 0")
    func occurrencesAreScoped() throws {
        let otherTx = "0x" + String(repeating: "a", count: 64)
        let run = try NormalizeRun([
            Rows.tokentxLine(),
            Rows.tokentxLine(["value": "\"178\""]),
            Rows.tokentxLine(["hash": "\"\(otherTx)\""]),
            Rows.tokentxLine(),
            Rows.tokentxLine(["blockNumber": "\"10773653\""]),
        ])
        #expect(try run.parsedRecords().map(\.occurrence) == [0, 0, 0, 1, 0])
    }

    @Test("a value with leading zeros has the identity of the plain value")
    func leadingZeros() throws {
        let padded = try NormalizeRun([Rows.tokentxLine(["value": "\"000177\""])]).parsedRecords()
        let plain = try NormalizeRun([Rows.tokentxLine()]).parsedRecords()
        #expect(padded.first?.value == UInt256(177))
        #expect(padded.first?.transferID == plain.first?.transferID)
        let zero = try NormalizeRun([Rows.tokentxLine(["value": "\"0000\""])])
        #expect(zero.records.first?.contains(#""value":"0""#) == true)
    }

    @Test("ERC-721, other events and non-standard Transfer logs are excluded and counted")
    func exclusions() throws {
        let erc721 =
            "[\"\(Rows.transferTopic)\",\"\(Rows.topic(address: Rows.from))\",\"\(Rows.topic(address: Rows.to))\",\"\(Rows.word("2a"))\"]"
        let approval =
            "[\"0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925\",\"\(Rows.topic(address: Rows.from))\",\"\(Rows.topic(address: Rows.to))\"]"
        let legacy = "[\"\(Rows.transferTopic)\"]"
        let run = try NormalizeRun([
            Rows.logLine(),
            Rows.logLine(["topics": erc721, "data": "\"0x\""]),
            Rows.logLine(["topics": erc721, "data": "\"0x\"", "blockHash": nil], source: "blockscout-logs"),
            Rows.logLine(["topics": approval]),
            Rows.logLine(["topics": "[]"]),
            Rows.logLine(["topics": legacy, "data": "\"0x\(String(repeating: "0", count: 192))\""]),
            Rows.logLine(["logIndex": "\"0x9\""]),
        ])
        #expect(
            run.outcomes == [
                .record, .excluded(.erc721Transfer), .excluded(.erc721Transfer), .excluded(.notTransferEvent),
                .excluded(.notTransferEvent), .excluded(.nonStandardTransfer), .record,
            ])
        #expect(run.counts.excluded == 5)
        #expect(
            run.counts.excludedByReason == ["erc721_transfer": 2, "not_transfer_event": 2, "non_standard_transfer": 1])
        #expect(run.counts.rowsOut == 2)
        #expect(run.quarantine.isEmpty)
        #expect(run.counts.isBalanced)
    }

    @Test("accounting balances: in = out + quarantined + duplicates + excluded")
    func accounting() throws {
        let erc721 =
            "[\"\(Rows.transferTopic)\",\"\(Rows.topic(address: Rows.from))\",\"\(Rows.topic(address: Rows.to))\",\"\(Rows.word("1"))\"]"
        let run = try NormalizeRun([
            Rows.logLine(),
            Array("garbage".utf8),
            Rows.logLine(["topics": erc721, "data": "\"0x\""]),
            Rows.logLine(["data": "\"0x12\""]),
            Rows.logLine(["logIndex": "\"0x4\""]),
        ])
        #expect(run.counts.rowsIn == 5)
        #expect(run.counts.rowsOut == 2)
        #expect(run.counts.quarantined == 2)
        #expect(run.counts.excluded == 1)
        #expect(run.counts.duplicates == 0)
        #expect(run.counts.isBalanced)
        try run.counts.checkBalanced(stage: "normalize", partition: "2020-09-01")
        var broken = run.counts
        broken.rowsOut += 1
        #expect(!broken.isBalanced)
        #expect(throws: NormalizeError.self) { try broken.checkBalanced(stage: "normalize", partition: "2020-09-01") }
    }

    @Test("a block number going backwards in one input fails clearly; a new input may restart")
    func blockOrder() throws {
        var normalizer = TransferNormalizer(chainID: 1, partition: Rows.day)
        var records = JSONLineWriter()
        var quarantine = JSONLineWriter()
        try normalizer.normalize(
            line: Rows.tokentxLine(["blockNumber": "\"10773653\""]), lineNumber: 1, records: &records,
            quarantine: &quarantine)
        // A quarantined row with a lower block does not trip the check.
        try normalizer.normalize(
            line: Rows.tokentxLine(["blockNumber": "\"1\"", "value": "\"x\""]), lineNumber: 2, records: &records,
            quarantine: &quarantine)
        #expect(throws: NormalizeError.blockOutOfOrder(line: 3, block: 10_773_652, previousBlock: 10_773_653)) {
            try normalizer.normalize(
                line: Rows.tokentxLine(), lineNumber: 3, records: &records, quarantine: &quarantine)
        }
        normalizer.beginInput()
        #expect(
            try normalizer.normalize(
                line: Rows.tokentxLine(), lineNumber: 1, records: &records, quarantine: &quarantine) == .record)
        let message = NormalizeError.blockOutOfOrder(line: 3, block: 5, previousBlock: 6).description
        #expect(message.contains("line 3") && message.contains("sorted by block"))
    }

    @Test("occurrences restart per input, so the same transfer in two inputs keeps one id")
    func occurrencePerInput() throws {
        var normalizer = TransferNormalizer(chainID: 1, partition: Rows.day)
        var records = JSONLineWriter()
        var quarantine = JSONLineWriter()
        try normalizer.normalize(line: Rows.logLine(), lineNumber: 1, records: &records, quarantine: &quarantine)
        normalizer.beginInput()
        try normalizer.normalize(line: Rows.tokentxLine(), lineNumber: 1, records: &records, quarantine: &quarantine)
        let parsed = try NormalizeRun.lines(records.bytes).map { try TransferRecord(parsing: Array($0.utf8)) }
        #expect(parsed.map(\.occurrence) == [0, 0])
        #expect(parsed[0].transferID == parsed[1].transferID)
    }

    @Test("values above 2^64 and up to 2^256 - 1 pass exactly, from hex and from decimal")
    func bigValues() throws {
        let max = String(describing: UInt256.max)
        let run = try NormalizeRun([
            Rows.logLine(["data": "\"0x" + String(repeating: "f", count: 64) + "\""]),
            Rows.logLine(["data": "\"\(Rows.word("10000000000000000"))\"", "logIndex": "\"0x5\""]),
            Rows.tokentxLine(["value": "\"\(max)\""]),
            Rows.tokentxLine(["value": "\"18446744073709551616\""]),
        ])
        let values = try run.parsedRecords().map { $0.value.description }
        #expect(values == [max, "18446744073709551616", max, "18446744073709551616"])
    }
}

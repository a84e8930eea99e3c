import ChainETLCore
import Testing

@testable import ChainETLStages

@Suite("Normalize: recorded explorer fixtures")
struct NormalizeFixtureTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var fixture: String
        var source: String
        var chainID: Int
        var resultKey: StaticString = "result"
        var testDescription: String { fixture }
    }

    static let cases: [Case] = [
        Case(fixture: "etherscan.getlogs.two-logs-0x-quirk", source: "etherscan-logs", chainID: 1),
        Case(fixture: "blockscout.getlogs.same-query", source: "blockscout-logs", chainID: 1),
        Case(fixture: "etherscan.tokentx.eth-usdc", source: "etherscan-tokentx", chainID: 1),
        Case(fixture: "etherscan.tokentx.gnosis-spam-unicode", source: "etherscan-tokentx", chainID: 100),
        Case(fixture: "blockscout.tokentx.optimism", source: "blockscout-tokentx", chainID: 10),
        Case(fixture: "etherscan.tokentx.pcko1-2020", source: "etherscan-tokentx", chainID: 1, resultKey: "res"),
    ]

    @Test("every fixture row normalizes to the independently computed record", arguments: cases)
    func fixtureRowsMatchExpectedRecords(_ testCase: Case) throws {
        let rows = try Fixture.rows("\(testCase.fixture).json", resultKey: testCase.resultKey)
        let expected = try Fixture.expectedLines(testCase.fixture)
        try #require(rows.count == expected.count)
        // One normalizer per UTC day, as the pipeline partitions.
        var produced: [String] = []
        var start = 0
        while start < rows.count {
            let day = try #require(PartitionDay(String(try Self.blockTime(expected[start]).prefix(10))))
            var end = start
            while end < rows.count, try Self.blockTime(expected[end]).hasPrefix(day.description) { end += 1 }
            let run = try NormalizeRun(
                rows[start..<end].map { RawLine.make(source: testCase.source, chainID: testCase.chainID, row: $0) },
                chainID: testCase.chainID, partition: day)
            #expect(run.quarantine.isEmpty, "\(run.quarantine)")
            #expect(run.counts.rowsOut == end - start)
            produced += run.records
            start = end
        }
        #expect(produced == expected)
    }

    private static func blockTime(_ line: String) throws -> String {
        let record = try TransferRecord(parsing: Array(line.utf8))
        return record.blockTimeText
    }

    @Test("the getLogs 0x quirk fixture gives hand-checked values")
    func getLogsQuirkValues() throws {
        let rows = try Fixture.rows("etherscan.getlogs.two-logs-0x-quirk.json")
        let run = try NormalizeRun(rows.map { RawLine.make(source: "etherscan-logs", row: $0) })
        let records = try run.parsedRecords()
        try #require(records.count == 2)
        // blockNumber 0xa46494, timeStamp 0x5f4dea3c, logIndex 0x3 / 0x7, data 0x…b1 / 0x…00.
        #expect(records[0].blockNumber == 10_773_652)
        #expect(records[0].blockTimeText == "2020-09-01T06:29:16Z")
        #expect(records[0].logIndex == 3)
        #expect(records[1].logIndex == 7)
        #expect(records[0].value == UInt256(177))
        #expect(records[1].value == UInt256.zero)
        #expect(records[0].fromAddress == "0x0000000000000000000000000000000000000000")
        #expect(records[0].toAddress == "0xba215f7be6c620da3f8240b82741eaf3c5f5d786")
        #expect(records[0].transferID == "1c30ee8f8e07c3432d52dfced161634a")
        #expect(records[0].transferID == records[0].identity.transferID)
        #expect(records[0].tokenSymbol == nil && records[0].tokenDecimals == nil)
    }

    @Test("Blockscout getLogs: null-padded topics count as 3, no blockHash gives null")
    func blockscoutLogsPadding() throws {
        let rows = try Fixture.rows("blockscout.getlogs.same-query.json")
        let run = try NormalizeRun(
            rows.map { RawLine.make(source: "blockscout-logs", row: $0) }, partition: PartitionDay("2020-08-22")!)
        let record = try #require(try run.parsedRecords().first)
        #expect(record.blockHash == nil)
        #expect(record.logIndex == 157)
        #expect(record.value.description == "8927503600000000000000")
        #expect(run.counts.excluded == 0)
    }

    @Test("the same transfer from getLogs and from tokentx gets the same transfer_id")
    func sameIdentityAcrossSources() throws {
        let logs = try NormalizeRun([Rows.logLine()]).parsedRecords()
        let tokentx = try NormalizeRun([Rows.tokentxLine()]).parsedRecords()
        let blockscout = try NormalizeRun([
            Rows.logLine(
                [
                    "blockHash": nil,
                    "topics":
                        "[\"\(Rows.transferTopic)\",\"\(Rows.topic(address: Rows.from))\",\"\(Rows.topic(address: Rows.to))\",null]",
                ], source: "blockscout-logs")
        ]).parsedRecords()
        try #require(logs.count == 1 && tokentx.count == 1 && blockscout.count == 1)
        #expect(logs[0].transferID == tokentx[0].transferID)
        #expect(logs[0].transferID == blockscout[0].transferID)
        #expect(logs[0].logIndex == 3)
        #expect(tokentx[0].logIndex == nil)
        #expect(tokentx[0].tokenSymbol == "TST" && tokentx[0].tokenDecimals == 18)
    }

    @Test("upper-case hex from an explorer is lowercased and keeps the identity")
    func lowercasing() throws {
        let upper = try NormalizeRun([
            Rows.tokentxLine([
                "hash": "\"\(Rows.tx.uppercased().replacingOccurrences(of: "0X", with: "0x"))\"",
                "to": "\"0xBA215F7BE6C620DA3F8240B82741EAF3C5F5D786\"",
            ])
        ]).parsedRecords()
        let lower = try NormalizeRun([Rows.tokentxLine()]).parsedRecords()
        #expect(upper.first?.txHash == Rows.tx)
        #expect(upper.first?.toAddress == Rows.to)
        #expect(upper.first?.transferID == lower.first?.transferID)
    }

    @Test("getLogs records take symbol, name and decimals from the tracked-token lookup")
    func tokenLookup() throws {
        let lookup = TokenMetadataLookup([
            TokenMetadata(
                address: "0xFC4B8ED459E00E5400BE803A9BB3954234FD50E3", symbol: "TKN", name: "Token \"T\"", decimals: 18)
        ])
        let run = try NormalizeRun([Rows.logLine()], tokens: lookup)
        let record = try #require(try run.parsedRecords().first)
        #expect(record.tokenSymbol == "TKN")
        #expect(record.tokenName == "Token \"T\"")
        #expect(record.tokenDecimals == 18)
        #expect(run.records[0].contains(#""token_name":"Token \"T\"""#))
        let untracked = try NormalizeRun(
            [Rows.logLine()], tokens: TokenMetadataLookup(tracked: [TrackedToken(address: Rows.to, symbol: "X")]))
        #expect(try untracked.parsedRecords().first?.tokenSymbol == nil)
    }

    @Test("tokentx quirks: empty tokenDecimal and empty names become null, escapes are decoded")
    func tokentxQuirks() throws {
        let run = try NormalizeRun([
            Rows.tokentxLine(["tokenDecimal": "\"\"", "tokenName": "\"\"", "tokenSymbol": "\"A\\u00e9\\n\\u0000B\""])
        ])
        let record = try #require(try run.parsedRecords().first)
        #expect(record.tokenDecimals == nil)
        #expect(record.tokenName == nil)
        #expect(record.tokenSymbol == "Aé\nB")
        #expect(run.records[0].contains(#""token_symbol":"Aé\nB""#))
    }

    @Test("a record line reads back and writes back byte for byte")
    func recordRoundTrip() throws {
        let expected = try Fixture.expectedLines("etherscan.tokentx.gnosis-spam-unicode")
        for line in expected {
            let record = try TransferRecord(parsing: Array(line.utf8))
            var writer = JSONLineWriter()
            record.write(into: &writer)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == line + "\n")
        }
    }
}

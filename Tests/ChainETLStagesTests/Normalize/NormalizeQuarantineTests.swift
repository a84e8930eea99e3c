import ChainETLCore
import Foundation
import Testing

@testable import ChainETLStages

@Suite("Normalize: bad input is quarantined with a reason")
struct NormalizeQuarantineTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var line: [UInt8]
        var code: String
        var chainID = 1
        var partition = Rows.day
        var testDescription: String { "\(code): \(name)" }
    }

    static let valueTooBig = "115792089237316195423570985008687907853269984665640564039457584007913129639936"

    static var cases: [Case] {
        let validLog = Rows.logLine()
        let validTokentx = Rows.tokentxLine()
        return [
            Case(
                name: "truncated line (cut mid-row)", line: Array(validLog.prefix(validLog.count - 40)),
                code: "invalid_json"),
            Case(
                name: "not json at all", line: Array("Max calls per sec rate limit reached".utf8), code: "invalid_json"),
            Case(name: "empty line", line: [], code: "invalid_json"),
            Case(name: "two objects on one line", line: validLog + validLog, code: "invalid_json"),
            Case(name: "a json array, not an object", line: Array("[1,2,3]".utf8), code: "invalid_envelope"),
            Case(name: "no source", line: Array(#"{"chain_id":1,"row":{}}"#.utf8), code: "invalid_envelope"),
            Case(
                name: "no chain_id", line: Array(#"{"source":"etherscan-logs","row":{}}"#.utf8),
                code: "invalid_envelope"),
            Case(
                name: "no row", line: Array(#"{"source":"etherscan-logs","chain_id":1,"request":{}}"#.utf8),
                code: "missing_row"),
            Case(
                name: "row is null", line: Array(#"{"source":"etherscan-logs","chain_id":1,"row":null}"#.utf8),
                code: "missing_row"),
            Case(name: "unknown source", line: Rows.logLine(source: "etherscan-txlist"), code: "unknown_source"),
            Case(name: "chain id of another chain", line: Rows.logLine(chainID: 25), code: "chain_id_mismatch"),
            Case(
                name: "getLogs row without transactionHash", line: Rows.logLine(["transactionHash": nil]),
                code: "missing_field"),
            Case(name: "getLogs row without data", line: Rows.logLine(["data": nil]), code: "missing_field"),
            Case(name: "tokentx row without value", line: Rows.tokentxLine(["value": nil]), code: "missing_field"),
            Case(name: "tokentx row without from", line: Rows.tokentxLine(["from": nil]), code: "missing_field"),
            Case(
                name: "topics is a string", line: Rows.logLine(["topics": "\"\(Rows.transferTopic)\""]),
                code: "wrong_type"),
            Case(name: "value is an object", line: Rows.tokentxLine(["value": "{}"]), code: "wrong_type"),
            Case(
                name: "tx hash too short", line: Rows.tokentxLine(["hash": "\"0x00eea635\""]), code: "invalid_tx_hash"),
            Case(
                name: "tx hash not hex",
                line: Rows.logLine(["transactionHash": "\"0x" + String(repeating: "g", count: 64) + "\""]),
                code: "invalid_tx_hash"),
            Case(
                name: "tx hash without 0x", line: Rows.tokentxLine(["hash": "\"" + Rows.tx.dropFirst(2) + "00\""]),
                code: "invalid_tx_hash"),
            Case(
                name: "from address 39 hex digits",
                line: Rows.tokentxLine(["from": "\"0x" + String(repeating: "1", count: 39) + "\""]),
                code: "invalid_address"),
            Case(
                name: "contract address is a number", line: Rows.tokentxLine(["contractAddress": "42"]),
                code: "invalid_address"),
            Case(
                name: "getLogs address not hex",
                line: Rows.logLine(["address": "\"0xZZ4b8ed459e00e5400be803a9bb3954234fd50e3\""]),
                code: "invalid_address"),
            Case(name: "value with a letter", line: Rows.tokentxLine(["value": "\"12a3\""]), code: "invalid_value"),
            Case(name: "empty value", line: Rows.tokentxLine(["value": "\"\""]), code: "invalid_value"),
            Case(
                name: "value in scientific notation", line: Rows.tokentxLine(["value": "1e21"]), code: "invalid_value"),
            Case(name: "negative value", line: Rows.tokentxLine(["value": "\"-177\""]), code: "negative_value"),
            Case(
                name: "value 2^256", line: Rows.tokentxLine(["value": "\"\(valueTooBig)\""]), code: "value_out_of_range"
            ),
            Case(
                name: "value of 79 digits",
                line: Rows.tokentxLine(["value": "\"1" + String(repeating: "0", count: 78) + "\""]),
                code: "value_out_of_range"),
            Case(
                name: "data not hex", line: Rows.logLine(["data": "\"0x" + String(repeating: "z", count: 64) + "\""]),
                code: "invalid_hex_value"),
            Case(
                name: "data without 0x", line: Rows.logLine(["data": "\"" + String(repeating: "0", count: 64) + "\""]),
                code: "invalid_hex_value"),
            Case(
                name: "data empty (\"0x\") with 3 topics", line: Rows.logLine(["data": "\"0x\""]),
                code: "invalid_data_length"),
            Case(
                name: "data of two words",
                line: Rows.logLine(["data": "\"\(Rows.word("1"))\(Rows.word("2").dropFirst(2))\""]),
                code: "invalid_data_length"),
            Case(
                name: "from topic with non-zero padding",
                line: Rows.logLine([
                    "topics":
                        "[\"\(Rows.transferTopic)\",\"\(Rows.word("1" + String(repeating: "0", count: 40)))\",\"\(Rows.topic(address: Rows.to))\"]"
                ]),
                code: "invalid_topic"),
            Case(
                name: "to topic too short",
                line: Rows.logLine([
                    "topics": "[\"\(Rows.transferTopic)\",\"\(Rows.topic(address: Rows.from))\",\"0x1234\"]"
                ]),
                code: "invalid_topic"),
            Case(
                name: "topic0 not hex", line: Rows.logLine(["topics": "[\"0xnothex\",\"a\",\"b\"]"]),
                code: "invalid_topic"),
            Case(
                name: "Blockscout topic after a null",
                line: Rows.logLine(
                    [
                        "topics":
                            "[\"\(Rows.transferTopic)\",null,\"\(Rows.topic(address: Rows.from))\",\"\(Rows.topic(address: Rows.to))\"]",
                        "blockHash": nil,
                    ], source: "blockscout-logs"),
                code: "invalid_topic"),
            Case(
                name: "topic is a number", line: Rows.logLine(["topics": "[\"\(Rows.transferTopic)\",1,2]"]),
                code: "invalid_topic"),
            Case(
                name: "hex block number with a non-hex digit", line: Rows.logLine(["blockNumber": "\"0xa4649g\""]),
                code: "invalid_block_number"),
            Case(
                name: "decimal block number in a hex source", line: Rows.logLine(["blockNumber": "\"10773652\""]),
                code: "invalid_block_number"),
            Case(
                name: "tokentx block number with a letter", line: Rows.tokentxLine(["blockNumber": "\"1077x652\""]),
                code: "invalid_block_number"),
            Case(
                name: "block number past Int64", line: Rows.tokentxLine(["blockNumber": "\"99999999999999999999\""]),
                code: "invalid_block_number"),
            Case(
                name: "negative block number", line: Rows.tokentxLine(["blockNumber": "\"-1\""]),
                code: "negative_block_number"),
            Case(
                name: "Blockscout empty timeStamp",
                line: Rows.tokentxLine(["timeStamp": "\"\""], source: "blockscout-tokentx"), code: "invalid_timestamp"),
            Case(name: "timeStamp not hex", line: Rows.logLine(["timeStamp": "\"soon\""]), code: "invalid_timestamp"),
            Case(
                name: "timeStamp in 1970", line: Rows.tokentxLine(["timeStamp": "\"1000\""]),
                code: "timestamp_out_of_range"),
            Case(
                name: "timeStamp years ahead", line: Rows.tokentxLine(["timeStamp": "\"4102444800\""]),
                code: "timestamp_out_of_range"),
            Case(
                name: "timeStamp on the previous day", line: Rows.tokentxLine(["timeStamp": "\"1598918399\""]),
                code: "block_time_outside_partition"),
            Case(
                name: "timeStamp on the next day", line: Rows.tokentxLine(["timeStamp": "\"1599004800\""]),
                code: "block_time_outside_partition"),
            Case(
                name: "tokenDecimal 256", line: Rows.tokentxLine(["tokenDecimal": "\"256\""]),
                code: "invalid_token_decimals"),
            Case(
                name: "tokenDecimal a word", line: Rows.tokentxLine(["tokenDecimal": "\"six\""]),
                code: "invalid_token_decimals"),
            Case(
                name: "tokenDecimal negative", line: Rows.tokentxLine(["tokenDecimal": "\"-1\""]),
                code: "invalid_token_decimals"),
            Case(name: "logIndex not hex", line: Rows.logLine(["logIndex": "\"0xq\""]), code: "invalid_log_index"),
            Case(name: "getLogs row without logIndex", line: Rows.logLine(["logIndex": nil]), code: "missing_field"),
            Case(
                name: "block hash too short", line: Rows.logLine(["blockHash": "\"0x1234\""]),
                code: "invalid_block_hash"),
            Case(
                name: "token name with a bad escape", line: Rows.tokentxLine(["tokenName": #""bad \x escape""#]),
                code: "invalid_string"),
            Case(name: "token name is a number", line: Rows.tokentxLine(["tokenName": "7"]), code: "wrong_type"),
            Case(
                name: "a tokentx row labelled blockscout-v2 (no transaction_hash)",
                line: Rows.tokentxLine(source: "blockscout-v2"), code: "missing_field"),
            Case(name: "valid base log (sanity: not quarantined)", line: validLog, code: ""),
            Case(name: "valid base tokentx (sanity: not quarantined)", line: validTokentx, code: ""),
        ] + realFixtureCases + v2Cases
    }

    /// Blockscout REST v2 items broken in the ways its nested, typed fields allow.
    static var v2Cases: [Case] {
        func v2(_ name: String, _ overrides: [String: String?], _ code: String) -> Case {
            Case(name: "v2: " + name, line: Rows.v2Line(overrides), code: code)
        }
        let hash39 = "0x" + String(repeating: "A", count: 39)
        return [
            v2("valid base item (sanity: not quarantined)", [:], ""),
            v2(
                "ERC-721 item: excluded, not quarantined",
                ["token_type": "\"ERC-721\"", "total": "{\"token_id\":\"7\"}"], ""),
            v2("ERC-1155 item: excluded, not quarantined", ["token_type": "\"ERC-1155\"", "total": "[]"], ""),
            v2("no transaction_hash", ["transaction_hash": nil], "missing_field"),
            v2("transaction_hash too short", ["transaction_hash": "\"0x00eea635\""], "invalid_tx_hash"),
            v2("from is a plain string, as in tokentx", ["from": "\"\(Rows.from)\""], "wrong_type"),
            v2("from without hash", ["from": "{\"name\":null}"], "missing_field"),
            v2("from is null", ["from": "null"], "missing_field"),
            v2("to hash of 39 hex digits", ["to": "{\"hash\":\"\(hash39)\"}"], "invalid_address"),
            v2("to hash is a number", ["to": "{\"hash\":12}"], "invalid_address"),
            v2("no token object", ["token": nil], "missing_field"),
            v2(
                "token address_hash not hex",
                ["token": "{\"address_hash\":\"0xZZ4b8ed459e00e5400be803a9bb3954234fd50e3\"}"], "invalid_address"),
            v2("token without any address", ["token": "{\"symbol\":\"TST\"}"], "missing_field"),
            v2("no total", ["total": nil], "missing_field"),
            v2("total without value", ["total": "{\"decimals\":\"18\"}"], "missing_field"),
            v2("total.value in scientific notation", ["total": "{\"value\":1e21}"], "invalid_value"),
            v2("total.value with a fraction", ["total": "{\"value\":\"1.5\"}"], "invalid_value"),
            v2("total.value negative", ["total": "{\"value\":\"-177\"}"], "negative_value"),
            v2("total.value 2^256", ["total": "{\"value\":\"\(valueTooBig)\"}"], "value_out_of_range"),
            v2("total.decimals 256", ["total": "{\"decimals\":\"256\",\"value\":\"1\"}"], "invalid_token_decimals"),
            v2("block_number a word", ["block_number": "\"tip\""], "invalid_block_number"),
            v2("block_number fractional", ["block_number": "10773652.5"], "invalid_block_number"),
            v2("block_number negative", ["block_number": "-1"], "negative_block_number"),
            v2("block_number an object", ["block_number": "{}"], "wrong_type"),
            v2("no log_index", ["log_index": nil], "missing_field"),
            v2("log_index negative", ["log_index": "-2"], "invalid_log_index"),
            v2("timestamp as unix seconds text", ["timestamp": "\"1598941756\""], "invalid_timestamp"),
            v2("timestamp without a zone", ["timestamp": "\"2020-09-01T06:29:16\""], "invalid_timestamp"),
            v2("timestamp 30 February", ["timestamp": "\"2020-02-30T06:29:16Z\""], "invalid_timestamp"),
            v2("timestamp a number", ["timestamp": "1598941756"], "wrong_type"),
            v2("no timestamp", ["timestamp": nil], "missing_field"),
            v2(
                "timestamp on the previous day", ["timestamp": "\"2020-08-31T23:59:59.999999Z\""],
                "block_time_outside_partition"),
            v2("timestamp in 1970", ["timestamp": "\"1970-01-01T00:16:40Z\""], "timestamp_out_of_range"),
            v2("block_hash too short", ["block_hash": "\"0x1234\""], "invalid_block_hash"),
            v2("token symbol a number", ["token": "{\"address_hash\":\"\(Rows.v2Token)\",\"symbol\":5}"], "wrong_type"),
            v2("token_type a number", ["token_type": "20"], "wrong_type"),
        ]
    }

    /// Variants of recorded rows, edited the way explorers or transfers have been seen to break.
    static var realFixtureCases: [Case] {
        let optimism = (try? Fixture.rows("blockscout.tokentx.optimism.json")) ?? []
        let usdc = (try? Fixture.rows("etherscan.tokentx.eth-usdc.json")) ?? []
        let quirk = (try? Fixture.rows("etherscan.getlogs.two-logs-0x-quirk.json")) ?? []
        func edit(_ row: [UInt8]?, _ old: String, _ new: String) -> [UInt8] {
            String(decoding: row ?? [], as: UTF8.self).replacingOccurrences(of: old, with: new).utf8.map { $0 }
        }
        return [
            Case(
                name: "recorded Blockscout tokentx row with timeStamp \"\"",
                line: RawLine.make(
                    source: "blockscout-tokentx", chainID: 10,
                    row: edit(optimism.first, "\"timeStamp\":\"1671932071\"", "\"timeStamp\":\"\"")),
                code: "invalid_timestamp", chainID: 10, partition: PartitionDay("2022-12-25")!),
            Case(
                name: "recorded Etherscan tokentx row with a negative value",
                line: RawLine.make(
                    source: "etherscan-tokentx",
                    row: edit(usdc.first, "\"value\":\"49673249\"", "\"value\":\"-49673249\"")),
                code: "negative_value", partition: PartitionDay("2022-12-25")!),
            Case(
                name: "recorded Etherscan tokentx row cut off mid-field",
                line: RawLine.make(source: "etherscan-tokentx", row: Array((usdc.first ?? []).prefix(200))),
                code: "invalid_json"),
            Case(
                name: "recorded getLogs row with a 4th topic (ERC-721 shape) but data kept: excluded, not quarantined",
                line: RawLine.make(
                    source: "etherscan-logs", row: edit(quirk.first, "d786\"]", "d786\",\"\(Rows.word("2a"))\"]")),
                code: ""),
            Case(
                name: "recorded getLogs row with a truncated data word",
                line: RawLine.make(source: "etherscan-logs", row: edit(quirk.first, "00000000b1\"", "b1\"")),
                code: "invalid_data_length"),
        ]
    }

    @Test("each malformed row kind is quarantined with its reason code", arguments: cases)
    func quarantinesWithReason(_ testCase: Case) throws {
        let run = try NormalizeRun([testCase.line], chainID: testCase.chainID, partition: testCase.partition)
        if testCase.code.isEmpty {
            #expect(run.quarantine.isEmpty, "\(run.quarantine)")
            return
        }
        try #require(run.quarantine.count == 1, "outcome \(run.outcomes)")
        guard case .quarantined(let reason) = run.outcomes[0] else {
            Issue.record("expected quarantine, got \(run.outcomes[0])")
            return
        }
        #expect(reason.code == testCase.code)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(run.quarantine[0].utf8)) as? [String: Any])
        #expect(object["reason"] as? String == testCase.code)
        #expect((object["message"] as? String)?.isEmpty == false)
        #expect(object["line"] as? Int == 1)
        #expect(object["raw"] != nil)
        #expect(run.counts.quarantinedByReason[testCase.code] == 1)
        #expect(run.counts.isBalanced)
    }

    @Test("there are at least 15 distinct reason codes among the cases")
    func distinctReasons() {
        #expect(Set(Self.cases.map(\.code).filter { !$0.isEmpty }).count >= 20)
    }

    @Test("valid rows around bad ones are all kept, in order, with line numbers on the quarantined")
    func validRowsSurvive() throws {
        var lines: [[UInt8]] = []
        var expectedCodes: [(line: Int, code: String)] = []
        var validHashes: [String] = []
        var block = 10_773_652
        for (index, testCase) in Self.cases.enumerated()
        where !testCase.code.isEmpty && testCase.chainID == 1 && testCase.partition == Rows.day {
            // A distinct valid transfer before each bad row, in ascending blocks.
            let hash = "0x" + String(repeating: "0", count: 60) + String(format: "%04x", index)
            validHashes.append(hash)
            lines.append(Rows.tokentxLine(["hash": "\"\(hash)\"", "blockNumber": "\"\(block)\""]))
            block += 1
            lines.append(testCase.line)
            expectedCodes.append((lines.count, testCase.code))
        }
        let run = try NormalizeRun(lines)
        #expect(run.records.count == validHashes.count)
        #expect(try run.parsedRecords().map(\.txHash) == validHashes)
        #expect(run.quarantine.count == expectedCodes.count)
        for (line, expected) in zip(run.quarantine, expectedCodes) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["reason"] as? String == expected.code)
            #expect(object["line"] as? Int == expected.line)
        }
        #expect(run.counts.rowsIn == lines.count)
        #expect(run.counts.isBalanced)
    }

    @Test("quarantine lines keep valid JSON raw verbatim and invalid raw as a string")
    func quarantineRawFormat() throws {
        let bad = Rows.tokentxLine(["value": "\"-5\""])
        let truncated = Array(bad.prefix(50))
        let run = try NormalizeRun([bad, truncated])
        try #require(run.quarantine.count == 2)
        let expectedFirst =
            #"{"reason":"negative_value","message":"field \"value\" is negative","line":1,"raw":"#
            + String(decoding: bad, as: UTF8.self) + "}"
        #expect(run.quarantine[0] == expectedFirst)
        let second = try #require(
            try JSONSerialization.jsonObject(with: Data(run.quarantine[1].utf8)) as? [String: Any])
        #expect(second["raw"] as? String == String(decoding: truncated, as: UTF8.self))
        #expect(second["line"] as? Int == 2)
    }

    @Test("the threshold fails with how many, which reasons and where the file is")
    func thresholdMessage() throws {
        var counts = NormalizeCounts(
            rowsIn: 1000, rowsOut: 998, quarantined: 2, quarantinedByReason: ["invalid_json": 1, "negative_value": 1])
        #expect(
            QuarantineThreshold.default.allows(
                NormalizeCounts(rowsIn: 1000, rowsOut: 999, quarantined: 1, quarantinedByReason: ["x": 1])))
        #expect(!QuarantineThreshold.default.allows(counts))
        do {
            try QuarantineThreshold.default.check(
                counts, quarantineFile: "/w/checkpoints/p/2020-09-01/normalize/quarantine.ndjson.gz")
            Issue.record("expected the threshold to fail")
        } catch let error as NormalizeError {
            let text = error.description
            #expect(text.contains("quarantined 2 of 1000 rows (0.20%)"))
            #expect(text.contains("0.10% threshold"))
            #expect(text.contains("invalid_json ×1"))
            #expect(text.contains("negative_value ×1"))
            #expect(text.contains("/w/checkpoints/p/2020-09-01/normalize/quarantine.ndjson.gz"))
        }
        counts.quarantined = 0
        counts.rowsOut = 1000
        counts.quarantinedByReason = [:]
        try QuarantineThreshold(maximumFraction: 0).check(counts, quarantineFile: "q")
        try QuarantineThreshold(maximumFraction: 0.5).check(
            NormalizeCounts(rowsIn: 10, rowsOut: 5, quarantined: 5, quarantinedByReason: ["x": 5]), quarantineFile: "q")
    }
}

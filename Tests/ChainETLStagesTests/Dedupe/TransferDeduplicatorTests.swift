import ChainETLCore
import ChainETLTestSupport
import Testing

@testable import ChainETLStages

@Suite("Dedupe: by transfer_id within a partition")
struct TransferDeduplicatorTests {
    /// A canonical record line for `block` with a transfer_id derived from `id`.
    static func record(block: Int, id: Int, value: Int = 1) -> String {
        let transferID = String(repeating: "0", count: 32 - String(id, radix: 16).count) + String(id, radix: 16)
        let record = TransferRecord(
            transferID: transferID, chainID: 1, blockNumber: block, blockTime: 1_598_918_400 + block, blockHash: nil,
            txHash: "0x" + String(repeating: "1", count: 64), logIndex: nil, occurrence: 0,
            tokenAddress: "0x" + String(repeating: "2", count: 40),
            fromAddress: "0x" + String(repeating: "3", count: 40),
            toAddress: "0x" + String(repeating: "4", count: 40), value: UInt256(UInt64(value)), tokenSymbol: nil,
            tokenName: nil, tokenDecimals: nil, source: .etherscanLogs)
        var writer = JSONLineWriter()
        record.write(into: &writer)
        return String(decoding: writer.bytes.dropLast(), as: UTF8.self)
    }

    static func source(_ name: String, _ lines: [String]) -> ByteLineSource {
        ByteLineSource(name: name, bytes: Array(lines.map { $0 + "\n" }.joined().utf8))
    }

    static func run(_ inputs: [ByteLineSource]) throws -> (lines: [String], counts: NormalizeCounts) {
        var deduplicator = TransferDeduplicator()
        var output = JSONLineWriter()
        try deduplicator.deduplicate(inputs, into: &output)
        let lines = String(decoding: output.bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        return (lines, deduplicator.counts)
    }

    @Test("duplicates across inputs are dropped and counted; output is sorted by block")
    func mergeAcrossInputs() throws {
        let logs = Self.source(
            "logs", [Self.record(block: 10, id: 1), Self.record(block: 12, id: 2), Self.record(block: 15, id: 3)])
        let tokentx = Self.source(
            "tokentx",
            [
                Self.record(block: 11, id: 9), Self.record(block: 12, id: 2), Self.record(block: 15, id: 3),
                Self.record(block: 16, id: 4),
            ])
        let (lines, counts) = try Self.run([logs, tokentx])
        #expect(
            lines == [
                Self.record(block: 10, id: 1), Self.record(block: 11, id: 9), Self.record(block: 12, id: 2),
                Self.record(block: 15, id: 3), Self.record(block: 16, id: 4),
            ])
        #expect(counts.rowsIn == 7)
        #expect(counts.rowsOut == 5)
        #expect(counts.duplicates == 2)
        #expect(counts.isBalanced)
    }

    @Test("duplicates inside one input are dropped; distinct ids in one block are all kept in order")
    func withinOneInput() throws {
        let input = Self.source(
            "one",
            [
                Self.record(block: 5, id: 1), Self.record(block: 5, id: 2), Self.record(block: 5, id: 1),
                // The same id in another block is not a duplicate to a per-block set (an id lives in one block).
                Self.record(block: 6, id: 1),
            ])
        let (lines, counts) = try Self.run([input])
        #expect(lines == [Self.record(block: 5, id: 1), Self.record(block: 5, id: 2), Self.record(block: 6, id: 1)])
        #expect(counts.duplicates == 1)
        #expect(counts.isBalanced)
    }

    @Test("ties in a block keep input order, then line order")
    func tieOrder() throws {
        let first = Self.source("a", [Self.record(block: 7, id: 3), Self.record(block: 7, id: 1)])
        let second = Self.source("b", [Self.record(block: 7, id: 2), Self.record(block: 7, id: 3)])
        let (lines, _) = try Self.run([first, second])
        #expect(lines == [Self.record(block: 7, id: 3), Self.record(block: 7, id: 1), Self.record(block: 7, id: 2)])
    }

    @Test("empty inputs and no inputs give nothing and balanced counts")
    func emptyInputs() throws {
        let (lines, counts) = try Self.run([Self.source("empty", []), Self.source("blank", [""])])
        #expect(lines.isEmpty)
        #expect(counts == NormalizeCounts())
        let none = try Self.run([])
        #expect(none.lines.isEmpty)
    }

    @Test("an unsorted input fails with its name, line and blocks")
    func unsortedInput() throws {
        let input = Self.source("part-00000", [Self.record(block: 9, id: 1), Self.record(block: 8, id: 2)])
        #expect(throws: DedupeError.inputNotSorted(input: "part-00000", line: 2, block: 8, previousBlock: 9)) {
            _ = try Self.run([input])
        }
    }

    @Test("a malformed line fails with its name and line")
    func malformedLine() throws {
        let cases = [
            "{\"transfer_id\":\"zz\",\"block_number\":1}",
            "{\"transfer_id\":\"\(String(repeating: "a", count: 32))\"}",
            "{\"block_number\":1}",
            "{\"transfer_id\":\"\(String(repeating: "a", count: 32))\",\"block_number\":\"1\"}",
            "[1]",
            "{\"transfer_id\":",
        ]
        for text in cases {
            let input = Self.source("part-00001", [Self.record(block: 1, id: 1), text])
            do {
                _ = try Self.run([input])
                Issue.record("expected \(text) to fail")
            } catch let error as DedupeError {
                guard case .malformedRecord(let name, let line, _) = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(name == "part-00001" && line == 2)
                #expect(error.description.hasPrefix("part-00001:2: "))
            }
        }
    }

    @Test("normalize then dedupe: the same transfers from getLogs and tokentx load once")
    func normalizeThenDedupe() throws {
        let logs = try NormalizeRun([Rows.logLine(), Rows.logLine(["logIndex": "\"0x4\""])])
        let tokentx = try NormalizeRun([Rows.tokentxLine(), Rows.tokentxLine(), Rows.tokentxLine(["value": "\"5\""])])
        let (lines, counts) = try Self.run([Self.source("logs", logs.records), Self.source("tokentx", tokentx.records)])
        #expect(lines.count == 3)
        #expect(counts.duplicates == 2)
        #expect(lines[0] == logs.records[0] && lines[1] == logs.records[1])
        #expect(lines[2] == tokentx.records[2])
    }
}

import ChainETLCore
import Testing

@testable import ChainETLStages

/// `TransferCopyEncoder` alone: exact COPY text rows and the records it refuses.
@Suite("Load COPY encoder")
struct LoadCopyEncoderTests {
    func encoder(chainIDs: [Int]? = [1]) -> TransferCopyEncoder {
        TransferCopyEncoder(
            pipeline: "demo\tpipe", partition: PartitionDay("2026-11-20")!, chainIDs: chainIDs,
            loadedAt: "2026-11-21T03:00:00.000000Z", input: "dedupe")
    }

    func encode(_ line: [UInt8], with encoder: inout TransferCopyEncoder) throws -> Int? {
        try line.withUnsafeBytes { try encoder.encode($0, lineNumber: 7) }
    }

    @Test("a record becomes one tab-separated row: bytea id, NULLs as \\N, pipeline escaped, loaded_at last")
    func exactRow() throws {
        var transfer = LoadFixtureTransfer.number(1)
        transfer.blockHash = nil
        transfer.logIndex = nil
        transfer.tokenName = "A\tB\\C\nD"
        var encoder = encoder()
        #expect(try encode(transfer.line, with: &encoder) == 1)
        let fields = String(decoding: encoder.row, as: UTF8.self).components(separatedBy: "\t")
        #expect(fields.count == 18)  // the escaped tabs in the name and the pipeline are not separators
        let expected =
            [
                "\\\\x\(transfer.transferID)", "1", "21000001", "2026-11-20T01:00:01Z", "\\N",
                transfer.txHash, "\\N", "0", transfer.tokenAddress, transfer.fromAddress, transfer.toAddress,
                "1001", "USDC", "A\\tB\\\\C\\nD", "6", "etherscan-logs", "demo\\tpipe",
                "2026-11-21T03:00:00.000000Z",
            ].joined(separator: "\t")
        #expect(String(decoding: encoder.row, as: UTF8.self) == expected)
        #expect(TransferCopyEncoder.columns.count == 18)
    }

    @Test("rows of other chains are skipped; nil chain ids keep every chain")
    func chainFilter() throws {
        let other = LoadFixtureTransfer.number(1, chainID: 25)
        var onlyEthereum = encoder()
        #expect(try encode(other.line, with: &onlyEthereum) == nil)
        var everything = encoder(chainIDs: nil)
        #expect(try encode(other.line, with: &everything) == 25)
    }

    @Test("a block_time on another day is refused with the line number")
    func outsidePartition() throws {
        var transfer = LoadFixtureTransfer.number(1)
        transfer.blockTime = "2026-11-21T00:00:00Z"
        var encoder = encoder()
        let error = try #require(throws: LoadError.self) { try encode(transfer.line, with: &encoder) }
        #expect("\(error)".contains("line 7: block_time 2026-11-21T00:00:00Z is outside partition 2026-11-20"))
    }

    @Test(
        "malformed records are refused, naming the field",
        arguments: [
            (#"not json"#, "not JSON"),
            (#"[1,2]"#, "not a JSON object"),
            (#"{"transfer_id":"x"} trailing"#, "not a JSON object"),
        ])
    func malformedLines(line: String, message: String) throws {
        var encoder = encoder()
        let error = try #require(throws: LoadError.self) { try encode(Array(line.utf8), with: &encoder) }
        #expect("\(error)".contains(message))
    }

    @Test(
        "bad field values are refused, naming the field",
        arguments: [
            ("transfer_id", #""ABCDEF""#, "transfer_id: is not 32 lowercase hex"),
            ("chain_id", #""1""#, "chain_id: is not a non-negative integer"),
            ("block_number", "-5", "block_number: is not a non-negative integer"),
            ("block_number", "1.5", "block_number: is not a non-negative integer"),
            ("block_time", #""2026-11-20 10:00:00""#, "block_time: is not YYYY-MM-DDTHH:MM:SSZ"),
            ("value", #""12e3""#, "value: is not a decimal uint256"),
            ("value", "12", "value: is not a plain string"),
            ("tx_hash", "null", "tx_hash: is null"),
            ("log_index", #""5""#, "log_index: is not an integer"),
            ("token_name", "7", "token_name: is not a string"),
        ])
    func badFields(field: String, replacement: String, message: String) throws {
        let line = Self.replacing(field, with: replacement, in: LoadFixtureTransfer.number(1).line)
        var encoder = encoder()
        let error = try #require(throws: LoadError.self) { try encode(line, with: &encoder) }
        #expect("\(error)".contains("line 7: field \(message)"), "\(error)")
    }

    @Test("missing, repeated and unknown keys are refused")
    func keys() throws {
        var encoder = encoder()
        let text = String(decoding: LoadFixtureTransfer.number(1).line, as: UTF8.self)
        let missing = text.replacingOccurrences(of: #","source":"etherscan-logs""#, with: "")
        var error = try #require(throws: LoadError.self) { try encode(Array(missing.utf8), with: &encoder) }
        #expect("\(error)".contains("field source: is missing"))

        let repeated = text.replacingOccurrences(of: #""source":"#, with: #""chain_id":1,"source":"#)
        error = try #require(throws: LoadError.self) { try encode(Array(repeated.utf8), with: &encoder) }
        #expect("\(error)".contains("field chain_id: appears twice"))

        let unknown = text.replacingOccurrences(of: #""source":"#, with: #""extra":1,"source":"#)
        error = try #require(throws: LoadError.self) { try encode(Array(unknown.utf8), with: &encoder) }
        #expect("\(error)".contains("field extra: is not a transfer/1 field"))
    }

    @Test("keys in another order are accepted")
    func otherKeyOrder() throws {
        let transfer = LoadFixtureTransfer.number(1)
        let text = String(decoding: transfer.line, as: UTF8.self)
        let sourcePart = #","source":"etherscan-logs"}"#
        let reordered =
            #"{"source":"etherscan-logs","# + text.dropFirst().replacingOccurrences(of: sourcePart, with: "}")
        var first = encoder()
        var second = encoder()
        _ = try encode(transfer.line, with: &first)
        _ = try encode(Array(reordered.utf8), with: &second)
        #expect(first.row == second.row)
    }

    @Test("COPY escaping covers backslash and every control byte COPY interprets")
    func escaping() {
        var output: [UInt8] = []
        let replaced = TransferCopyEncoder.appendEscaped(
            Array("a\\b\tc\nd\re\u{8}f\u{b}g\u{c}h\u{0}i\u{1}".utf8), to: &output)
        #expect(String(decoding: output, as: UTF8.self) == "a\\\\b\\tc\\nd\\re\\bf\\vg\\fh\u{FFFD}i\u{1}")
        #expect(replaced == 1)
    }

    /// `line` with the JSON value of `field` replaced by `replacement`.
    static func replacing(_ field: String, with replacement: String, in line: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        line.withUnsafeBytes { bytes in
            let scanner = JSONScanner(bytes: bytes)
            guard let object = try? scanner.value(at: 0), let value = try? scanner.member(key(field), of: object)
            else { return }
            result =
                Array(bytes[..<value.range.lowerBound]) + Array(replacement.utf8)
                + Array(bytes[value.range.upperBound...])
        }
        return result
    }

    private static func key(_ field: String) -> StaticString {
        switch field {
        case "transfer_id": "transfer_id"
        case "chain_id": "chain_id"
        case "block_number": "block_number"
        case "block_time": "block_time"
        case "value": "value"
        case "tx_hash": "tx_hash"
        case "log_index": "log_index"
        default: "token_name"
        }
    }
}

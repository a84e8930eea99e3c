import ChainETLCore
import Foundation
import Testing

@testable import ChainETLStages

/// `TransferCopyEncoder` alone: exact COPY text rows and the records it refuses.
@Suite("Load COPY encoder")
struct LoadCopyEncoderTests {
    func encoder(chainIDs: [Int]? = [1], format: TransferCopyEncoder.Format = .text) -> TransferCopyEncoder {
        TransferCopyEncoder(
            pipeline: "demo\tpipe", partition: PartitionDay("2026-11-20")!, chainIDs: chainIDs,
            loadedAt: "2026-11-21T03:00:00.000000Z", input: "dedupe", format: format)
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
        for format in [TransferCopyEncoder.Format.text, .binary] {
            var encoder = encoder(format: format)
            let error = try #require(throws: LoadError.self) { try encode(line, with: &encoder) }
            #expect("\(error)".contains("line 7: field \(message)"), "\(format): \(error)")
        }
    }

    @Test("a binary tuple: 18 fields, bytea as 16 bytes, big-endian integers and times, text as it is")
    func exactBinaryTuple() throws {
        var transfer = LoadFixtureTransfer.number(1)
        transfer.blockHash = nil
        transfer.logIndex = nil
        transfer.tokenName = "A\tB\\C\nD\u{0}"
        var encoder = encoder(format: .binary)
        #expect(try encode(transfer.line, with: &encoder) == 1)
        let fields = try Self.binaryFields(encoder.row)
        #expect(fields.count == 18)
        let hex = fields[0]?.map { String(format: "%02x", $0) }.joined()
        #expect(hex == transfer.transferID)
        #expect(fields[1] == Self.bigEndian(Int64(1)))
        #expect(fields[2] == Self.bigEndian(Int64(21_000_001)))
        #expect(fields[3] == Self.bigEndian(Int64(848_451_601_000_000)))  // 2026-11-20T01:00:01Z since 2000
        #expect(fields[4] == nil)
        #expect(fields[5] == Array(transfer.txHash.utf8))
        #expect(fields[6] == nil)
        #expect(fields[7] == Self.bigEndian(Int32(0)))
        #expect(fields[8] == Array(transfer.tokenAddress.utf8))
        #expect(fields[11] == Self.numeric([1001], weight: 0))
        #expect(fields[12] == Array("USDC".utf8))
        #expect(fields[13] == Array("A\tB\\C\nD\u{FFFD}".utf8))
        #expect(encoder.replacedNULs == 1)
        #expect(fields[14] == Self.bigEndian(Int16(6)))
        #expect(fields[15] == Array("etherscan-logs".utf8))
        #expect(fields[16] == Array("demo\tpipe".utf8))
        #expect(fields[17] == Self.bigEndian(Int64(848_545_200_000_000)))  // 2026-11-21T03:00:00Z since 2000
    }

    @Test(
        "uint256 values become numeric base-10000 digits, trailing zero groups left out",
        arguments: [
            ("0", [], 0), ("7", [7], 0), ("00012", [12], 0), ("10000", [1], 1), ("123456789", [1, 2345, 6789], 2),
            ("100000000", [1], 2),
            (
                "115792089237316195423570985008687907853269984665640564039457584007913129639935",
                [11, 5792, 892, 3731, 6195, 4235, 7098, 5008, 6879, 785, 3269, 9846, 6564, 564, 394, 5758, 4007, 9131,
                    2963, 9935], 19
            ),
        ])
    func binaryNumeric(value: String, digits: [Int], weight: Int) throws {
        var transfer = LoadFixtureTransfer.number(1)
        transfer.value = value
        var encoder = encoder(format: .binary)
        _ = try encode(transfer.line, with: &encoder)
        #expect(try Self.binaryFields(encoder.row)[11] == Self.numeric(digits, weight: weight))
    }

    @Test(
        "binary refuses what its columns cannot hold, naming the field",
        arguments: [
            ("token_decimals", "40000", "token_decimals: is out of range for a 16-bit integer"),
            ("log_index", "2147483648", "log_index: is out of range for a 32-bit integer"),
            ("block_number", "9999999999999999999", "block_number: is out of range for a 64-bit integer"),
            ("block_time", #""2026-11-20T24:00:00Z""#, "block_time: is not a valid time of day"),
            ("block_time", #""2026-11-20T10:60:00Z""#, "block_time: is not a valid time of day"),
        ])
    func binaryRanges(field: String, replacement: String, message: String) throws {
        let line = Self.replacing(field, with: replacement, in: LoadFixtureTransfer.number(1).line)
        var encoder = encoder(format: .binary)
        let error = try #require(throws: LoadError.self) { try encode(line, with: &encoder) }
        #expect("\(error)".contains("line 7: field \(message)"), "\(error)")
    }

    @Test("loaded_at text becomes microseconds since 2000-01-01 UTC")
    func loadedAtMicroseconds() {
        #expect(TransferCopyEncoder.postgresMicroseconds("2000-01-01T00:00:00Z") == 0)
        #expect(TransferCopyEncoder.postgresMicroseconds("2000-01-01T00:00:00.000001Z") == 1)
        #expect(TransferCopyEncoder.postgresMicroseconds("1999-12-31T23:59:59.5Z") == -500_000)
        #expect(TransferCopyEncoder.postgresMicroseconds("2026-11-21T03:00:00.000000Z") == 848_545_200_000_000)
        #expect(TransferCopyEncoder.postgresMicroseconds("2026-11-21 03:00:00Z") == nil)
        #expect(TransferCopyEncoder.postgresMicroseconds("2026-11-21T03:00:00") == nil)
    }

    /// The fields of one binary tuple (nil for NULL).
    static func binaryFields(_ tuple: [UInt8]) throws -> [[UInt8]?] {
        func integer(_ offset: Int, _ width: Int) -> Int {
            tuple[offset..<(offset + width)].reduce(0) { $0 << 8 | Int($1) }
        }
        let count = integer(0, 2)
        var offset = 2
        var fields: [[UInt8]?] = []
        for _ in 0..<count {
            let length = Int32(truncatingIfNeeded: integer(offset, 4))
            offset += 4
            if length < 0 {
                fields.append(nil)
            } else {
                fields.append(Array(tuple[offset..<(offset + Int(length))]))
                offset += Int(length)
            }
        }
        try #require(offset == tuple.count)
        return fields
    }

    static func bigEndian<Value: FixedWidthInteger>(_ value: Value) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// A binary numeric field: digit count, weight, sign 0, scale 0, the digits.
    static func numeric(_ digits: [Int], weight: Int) -> [UInt8] {
        [digits.count, weight, 0, 0].flatMap { bigEndian(Int16($0)) } + digits.flatMap { bigEndian(Int16($0)) }
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
        case "token_decimals": "token_decimals"
        default: "token_name"
        }
    }
}

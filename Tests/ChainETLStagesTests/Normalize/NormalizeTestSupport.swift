import ChainETLCore
import Foundation
import Testing

@testable import ChainETLStages

/// Recorded explorer fixtures (copied from shared/fixtures/explorers with their .source.txt).
enum Fixture {
    static func bytes(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
        return Array(try Data(contentsOf: url))
    }

    /// The rows of the fixture's result array, each byte for byte as recorded (pretty-printed
    /// fixtures are compacted outside strings so a row fits one NDJSON line).
    static func rows(_ name: String, resultKey: StaticString = "result") throws -> [[UInt8]] {
        let document = try bytes(name)
        return try document.withUnsafeBytes { buffer in
            let scanner = JSONScanner(bytes: buffer)
            let root = try scanner.root()
            let result = try #require(try scanner.member(resultKey, of: root))
            var rows: [[UInt8]] = []
            try scanner.forEachElement(of: result) { row in
                rows.append(compact(Array(buffer[row.range])))
                return true
            }
            return rows
        }
    }

    /// The expected canonical records (computed by Fixtures/expected-records.py).
    static func expectedLines(_ name: String) throws -> [String] {
        String(decoding: try bytes("\(name).expected.ndjson"), as: UTF8.self)
            .split(separator: "\n").map(String.init)
    }

    /// Removes JSON whitespace outside strings.
    static func compact(_ json: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var inString = false
        var escaped = false
        for byte in json {
            if inString {
                out.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
                out.append(byte)
            } else if ![0x20, 0x0A, 0x0D, 0x09].contains(byte) {
                out.append(byte)
            }
        }
        return out
    }
}

/// Raw checkpoint lines as extract writes them.
enum RawLine {
    static func make(source: String, chainID: Int = 1, row: [UInt8]) -> [UInt8] {
        let head =
            "{\"source\":\"\(source)\",\"chain_id\":\(chainID),\"request\":{\"endpoint\":\"logs/getLogs\","
            + "\"contract\":\"0xfc4b8ed459e00e5400be803a9bb3954234fd50e3\",\"from_block\":10773600,"
            + "\"to_block\":10773700,\"page\":1,\"offset\":1000,\"fetched_at\":\"2026-11-21T03:00:00Z\"},\"row\":"
        return Array(head.utf8) + row + Array("}".utf8)
    }

    static func make(source: String, chainID: Int = 1, row: String) -> [UInt8] {
        make(source: source, chainID: chainID, row: Array(row.utf8))
    }
}

/// Builds synthetic rows from the values of the recorded fixtures, with any field replaced by a
/// raw JSON snippet or removed (nil).
enum Rows {
    static let transferTopic = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
    static let token = "0xfc4b8ed459e00e5400be803a9bb3954234fd50e3"
    static let from = "0x0000000000000000000000000000000000000000"
    static let to = "0xba215f7be6c620da3f8240b82741eaf3c5f5d786"
    static let tx = "0x00eea6359d247c9433d32620358555a0fd3265378ff146b9511b7cff1ecb7829"
    static let blockHash = "0x54854f74a7cee57759b269742fe15e6a2fe5525f5d46d45e4c7ecb9f7ec91350"
    /// 2020-09-01T06:29:16Z, in block 10773652 (0xa46494).
    static let day = PartitionDay("2020-09-01")!

    static func topic(address: String) -> String {
        "0x000000000000000000000000" + address.dropFirst(2)
    }

    static func word(_ hexDigits: String) -> String {
        "0x" + String(repeating: "0", count: 64 - hexDigits.count) + hexDigits
    }

    /// The fields of the getLogs fixture's first row (value 177 = 0xb1).
    static func logFields() -> [(String, String?)] {
        [
            ("address", "\"\(token)\""),
            ("topics", "[\"\(transferTopic)\",\"\(topic(address: from))\",\"\(topic(address: to))\"]"),
            ("data", "\"\(word("b1"))\""),
            ("blockNumber", "\"0xa46494\""),
            ("blockHash", "\"\(blockHash)\""),
            ("timeStamp", "\"0x5f4dea3c\""),
            ("gasPrice", "\"0xa436736775\""),
            ("gasUsed", "\"0x157c30\""),
            ("logIndex", "\"0x3\""),
            ("transactionHash", "\"\(tx)\""),
            ("transactionIndex", "\"0x\""),
        ]
    }

    /// The same transfer as `logFields()`, as a tokentx row.
    static func tokentxFields() -> [(String, String?)] {
        [
            ("blockNumber", "\"10773652\""),
            ("timeStamp", "\"1598941756\""),
            ("hash", "\"\(tx)\""),
            ("nonce", "\"0\""),
            ("blockHash", "\"\(blockHash)\""),
            ("from", "\"\(from)\""),
            ("contractAddress", "\"\(token)\""),
            ("to", "\"\(to)\""),
            ("value", "\"177\""),
            ("tokenName", "\"Test Token\""),
            ("tokenSymbol", "\"TST\""),
            ("tokenDecimal", "\"18\""),
            ("transactionIndex", "\"0\""),
            ("gas", "\"274057\""),
            ("input", "\"deprecated\""),
            ("confirmations", "\"7660031\""),
        ]
    }

    /// The same transfer as `logFields()`, as a Blockscout REST v2 item: checksummed (mixed-case)
    /// hashes in nested objects, integer block number and log index, an ISO timestamp.
    static func v2Fields() -> [(String, String?)] {
        [
            ("block_hash", "\"\(blockHash)\""),
            ("block_number", "10773652"),
            ("from", "{\"ens_domain_name\":null,\"hash\":\"\(from)\",\"is_contract\":false,\"public_tags\":[]}"),
            ("log_index", "3"),
            ("method", "\"transfer\""),
            ("timestamp", "\"2020-09-01T06:29:16.000000Z\""),
            ("to", "{\"hash\":\"\(v2To)\",\"name\":null}"),
            (
                "token",
                "{\"address_hash\":\"\(v2Token)\",\"circulating_market_cap\":null,\"decimals\":\"18\","
                    + "\"holders_count\":\"12\",\"name\":\"Test Token\",\"symbol\":\"TST\",\"type\":\"ERC-20\"}"
            ),
            ("token_type", "\"ERC-20\""),
            ("total", "{\"decimals\":\"18\",\"value\":\"177\"}"),
            ("transaction_hash", "\"\(tx)\""),
            ("type", "\"token_minting\""),
        ]
    }

    /// `to` and `token` in mixed case, as Blockscout v2 checksums them.
    static let v2To = "0xBa215F7Be6c620dA3f8240b82741eAf3c5F5D786"
    static let v2Token = "0xFc4B8ED459e00e5400be803A9BB3954234FD50e3"

    static func v2Line(_ overrides: [String: String?] = [:], chainID: Int = 1) -> [UInt8] {
        RawLine.make(source: "blockscout-v2", chainID: chainID, row: row(v2Fields(), replacing: overrides))
    }

    static func row(_ fields: [(String, String?)], replacing overrides: [String: String?] = [:]) -> String {
        var parts: [String] = []
        for (key, value) in fields {
            let final = overrides.keys.contains(key) ? overrides[key]! : value
            if let final { parts.append("\"\(key)\":\(final)") }
        }
        for (key, value) in overrides where !fields.contains(where: { $0.0 == key }) {
            if let value { parts.append("\"\(key)\":\(value)") }
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    static func logLine(_ overrides: [String: String?] = [:], source: String = "etherscan-logs", chainID: Int = 1)
        -> [UInt8]
    {
        RawLine.make(source: source, chainID: chainID, row: row(logFields(), replacing: overrides))
    }

    static func tokentxLine(
        _ overrides: [String: String?] = [:], source: String = "etherscan-tokentx", chainID: Int = 1
    ) -> [UInt8] {
        RawLine.make(source: source, chainID: chainID, row: row(tokentxFields(), replacing: overrides))
    }
}

/// Runs a normalizer over lines and collects everything it wrote.
struct NormalizeRun {
    var records: [String] = []
    var quarantine: [String] = []
    var outcomes: [NormalizeOutcome] = []
    var counts = NormalizeCounts()

    init(
        _ lines: [[UInt8]], chainID: Int = 1, partition: PartitionDay = Rows.day,
        tokens: TokenMetadataLookup = TokenMetadataLookup()
    ) throws {
        var normalizer = TransferNormalizer(chainID: chainID, partition: partition, tokens: tokens)
        var recordWriter = JSONLineWriter()
        var quarantineWriter = JSONLineWriter()
        for (index, line) in lines.enumerated() {
            outcomes.append(
                try normalizer.normalize(
                    line: line, lineNumber: index + 1, records: &recordWriter, quarantine: &quarantineWriter))
        }
        records = Self.lines(recordWriter.bytes)
        quarantine = Self.lines(quarantineWriter.bytes)
        counts = normalizer.counts
    }

    static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(
            String.init)
    }

    /// The parsed record lines.
    func parsedRecords() throws -> [TransferRecord] {
        try records.map { try TransferRecord(parsing: Array($0.utf8)) }
    }
}

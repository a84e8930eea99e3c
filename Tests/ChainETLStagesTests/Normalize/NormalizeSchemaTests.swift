import ChainETLCore
import Foundation
import Testing

@testable import ChainETLStages

@Suite("Normalize: published record schemas match the code")
struct NormalizeSchemaTests {
    static func schema(_ name: String) throws -> [String: Any] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("schemas/records/\(name).schema.json")
        let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: url))
        return try #require(object as? [String: Any])
    }

    /// One value of every `QuarantineReason` case.
    static let everyReason: [QuarantineReason] = [
        .invalidJSON(detail: ""), .invalidEnvelope(detail: ""), .missingRow, .unknownSource(""),
        .chainIDMismatch(expected: 1, found: "2"), .unknownChain(found: "3", known: [1]), .missingField(""),
        .wrongType(field: "", expected: ""),
        .invalidTxHash(field: ""), .invalidBlockHash, .invalidAddress(field: ""), .invalidValue, .negativeValue,
        .valueOutOfRange, .invalidHexValue, .invalidDataLength(bytes: 0), .invalidTopic(index: 0, detail: ""),
        .invalidBlockNumber, .negativeBlockNumber, .invalidTimestamp, .timestampOutOfRange(unixSeconds: 0),
        .blockTimeOutsidePartition(blockTime: "", partition: ""), .invalidTokenDecimals, .invalidLogIndex,
        .invalidString(field: ""),
    ]

    @Test("quarantine.schema.json lists exactly the reason codes normalize writes")
    func reasonCodes() throws {
        let schema = try Self.schema("quarantine")
        let properties = try #require(schema["properties"] as? [String: Any])
        let reason = try #require(properties["reason"] as? [String: Any])
        let codes = try #require(reason["enum"] as? [String])
        #expect(Set(codes) == Set(Self.everyReason.map(\.code)))
        #expect(Set(Self.everyReason.map(\.code)).count == Self.everyReason.count)
        #expect(Self.everyReason.allSatisfy { !$0.message.isEmpty })
    }

    @Test("transfer.schema.json requires exactly the record's keys, in write order")
    func transferKeys() throws {
        let schema = try Self.schema("transfer")
        #expect(schema["required"] as? [String] == TransferRecord.fieldNames)
        #expect(schema["additionalProperties"] as? Bool == false)
        let properties = try #require(schema["properties"] as? [String: Any])
        let source = try #require(properties["source"] as? [String: Any])
        #expect(Set(try #require(source["enum"] as? [String])) == Set(TransferSource.allCases.map(\.rawValue)))
    }

    @Test("raw-explorer-row.schema.json names every source")
    func rawSources() throws {
        let schema = try Self.schema("raw-explorer-row")
        let properties = try #require(schema["properties"] as? [String: Any])
        let source = try #require(properties["source"] as? [String: Any])
        #expect(Set(try #require(source["enum"] as? [String])) == Set(TransferSource.allCases.map(\.rawValue)))
    }
}

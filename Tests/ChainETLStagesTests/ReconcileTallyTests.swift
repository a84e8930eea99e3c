import ChainETLCore
import Testing

@testable import ChainETLStages

/// Reconcile's arithmetic and second-source counting, without a database.
@Suite("Reconcile tallies")
struct ReconcileTallyTests {
    static let max256 = "115792089237316195423570985008687907853269984665640564039457584007913129639935"

    @Test func wideSumsPassTwoToThe256Exactly() throws {
        var sum = WideUnsigned.zero
        let added = [sum.add(UInt256.max), sum.add(UInt256.max), sum.add(UInt256(2))]
        #expect(added == [true, true, true])
        // 2 × (2^256 − 1) + 2 = 2^257
        #expect(sum.description == "231584178474632390847141970017375815706539969331281128078915168015826259279872")
        #expect(WideUnsigned(decimal: sum.description) == sum)
        #expect(WideUnsigned(decimal: "12a") == nil)
        #expect(WideUnsigned(decimal: "") == nil)
        #expect(WideUnsigned(decimal: String(repeating: "9", count: 116)) == nil)  // past 384 bits
        #expect(WideUnsigned.zero.description == "0")
    }

    @Test func signedDifferences() throws {
        let small = try #require(WideUnsigned(decimal: "500"))
        let large = try #require(WideUnsigned(decimal: Self.max256))
        #expect(WideUnsigned.signedDifference(from: small, to: large) == "+" + String(Self.max256.dropLast(3)) + "435")
        #expect(WideUnsigned.signedDifference(from: large, to: small) == "-" + String(Self.max256.dropLast(3)) + "435")
        #expect(WideUnsigned.signedDifference(from: small, to: small) == "0")
    }

    @Test func toleranceIsRelativeToTheLargerSide() throws {
        let base = TransferTally(count: 1000, sum: try #require(WideUnsigned(decimal: "1000000")))
        let close = TransferTally(count: 999, sum: try #require(WideUnsigned(decimal: "999000")))
        #expect(!base.agrees(with: close, partsPerBillion: 0))
        #expect(base.agrees(with: close, partsPerBillion: 1_000_000))  // 0.1 %
        #expect(!base.agrees(with: close, partsPerBillion: 999_999))
        #expect(base.agrees(with: base, partsPerBillion: 0))
        let empty = TransferTally()
        #expect(!empty.agrees(with: base, partsPerBillion: 999_999_999))
        #expect(empty.agrees(with: base, partsPerBillion: 1_000_000_000))
    }

    static let day = PartitionDay("2026-11-20")!
    static let token = "0x" + String(repeating: "ab", count: 20)
    static let transferTopic = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
    static let addressTopic = "0x000000000000000000000000" + String(repeating: "1", count: 40)
    static let address = "0x" + String(repeating: "2", count: 40)
    static let hash = "0x" + String(repeating: "3", count: 64)

    static func tokentx(_ value: String, contract: String = token, offset: Int = 60, chain: Int = 1) -> String {
        """
        {"source":"blockscout-tokentx","chain_id":\(chain),"request":{},"row":{"blockNumber":"100","timeStamp":"\(day.startUnixSeconds + offset)","hash":"\(hash)","from":"\(address)","to":"\(address)","contractAddress":"\(contract)","value":"\(value)"}}
        """
    }

    static func log(topics: [String], data: String, index: Int) -> String {
        let list = topics.map { "\"\($0)\"" }.joined(separator: ",")
        let checksummed = "0x" + String(token.dropFirst(2)).uppercased()
        return """
            {"source":"etherscan-logs","chain_id":1,"request":{},"row":{"address":"\(checksummed)","topics":[\(list)],"data":"\(data)","blockNumber":"0x64","timeStamp":"0x\(String(day.startUnixSeconds + 60, radix: 16))","logIndex":"0x\(String(index, radix: 16))","transactionHash":"\(hash)"}}
            """
    }

    @Test func theCounterCountsWhatNormalizeKeepsForTheDay() throws {
        var counter = RawTransferCounter(partition: Self.day, chains: [1], tokens: [])
        let word = "0x" + String(repeating: "0", count: 62) + "0a"
        let upperTopic = "0x" + String(Self.transferTopic.dropFirst(2)).uppercased()
        let lines = [
            Self.tokentx("5"),
            Self.tokentx(Self.max256),
            Self.log(topics: [Self.transferTopic, Self.addressTopic, Self.addressTopic], data: word, index: 1),
            Self.log(topics: [upperTopic, Self.addressTopic, Self.addressTopic], data: word, index: 2),
            // Excluded: ERC-721 (4 topics), another event, another chain.
            Self.log(topics: [Self.transferTopic, Self.addressTopic, Self.addressTopic, word], data: "0x", index: 3),
            Self.log(
                topics: ["0x" + String(repeating: "f", count: 64), Self.addressTopic, Self.addressTopic], data: word,
                index: 4),
            Self.tokentx("1", chain: 25),
            // Quarantined: a value that is not decimal, a 31-byte data word, another day, not JSON.
            Self.tokentx("0x10"),
            Self.log(
                topics: [Self.transferTopic, Self.addressTopic, Self.addressTopic],
                data: "0x" + String(repeating: "0", count: 62), index: 5),
            Self.tokentx("1", offset: 86_400),
            "{not json",
        ]
        for line in lines {
            try Array(line.utf8).withUnsafeBytes { try counter.add(line: $0) }
        }
        #expect(counter.rows == 11)
        #expect(counter.counted == 4)
        #expect(counter.excluded == 3)
        #expect(counter.quarantined == 4)
        #expect(counter.firstQuarantine?.line == 8)
        #expect(counter.firstQuarantine?.reason == "invalid_value")
        let tally = try #require(counter.tallies[TallyKey(chainID: 1, token: Self.token)])
        #expect(tally.count == 4)
        // 5 + (2^256 − 1) + 10 + 10
        #expect(
            tally.sum.description == "115792089237316195423570985008687907853269984665640564039457584007913129639960")
    }

    @Test func doubledRowsCountTwiceAndTheTokenFilterExcludesOtherTokens() throws {
        var counter = RawTransferCounter(partition: Self.day, chains: [1], tokens: [Self.token])
        let other = "0x" + String(repeating: "cd", count: 20)
        for line in [Self.tokentx("5"), Self.tokentx("5"), Self.tokentx("6", contract: other)] {
            try Array(line.utf8).withUnsafeBytes { try counter.add(line: $0) }
        }
        #expect(counter.counted == 2 && counter.excluded == 1)
        #expect(counter.tallies[TallyKey(chainID: 1, token: Self.token)]?.sum.description == "10")
    }

    @Test func rowsOutOfBlockOrderFailTheStage() throws {
        var counter = RawTransferCounter(partition: Self.day, chains: [1], tokens: [])
        let later = Self.tokentx("5").replacingOccurrences(
            of: "\"blockNumber\":\"100\"", with: "\"blockNumber\":\"200\"")
        try Array(later.utf8).withUnsafeBytes { try counter.add(line: $0) }
        #expect(throws: (any Error).self) {
            var copy = counter
            try Array(Self.tokentx("5").utf8).withUnsafeBytes { try copy.add(line: $0) }
        }
    }

    @Test func theDiscrepancyLineHasBothSidesAndTheDifferences() throws {
        var line = JSONLineWriter()
        ReconcileStage.writeDiscrepancy(
            key: TallyKey(chainID: 1, token: Self.token), day: Self.day,
            store: TransferTally(count: 3, sum: try #require(WideUnsigned(decimal: "30"))),
            source: TransferTally(count: 4, sum: try #require(WideUnsigned(decimal: "37"))), against: "bs",
            into: &line)
        #expect(
            String(decoding: line.bytes, as: UTF8.self)
                == #"{"chain_id":1,"token_address":"\#(Self.token)","day":"2026-11-20","store_transfers":3,"store_value_sum":"30","source":"bs","source_transfers":4,"source_value_sum":"37","transfers_difference":1,"value_sum_difference":"+7"}"#
        )
    }

    @Test func snapshotChangesCoverNewChangedAndVanishedFigures() {
        let changes = DiffSnapshotChange.changes(
            before: ["1/0xa/d/transfer_count": "10", "1/0xa/d/volume_raw": "5", "1/0xb/d/transfer_count": "2"],
            after: ["1/0xa/d/transfer_count": "10", "1/0xa/d/volume_raw": Self.max256, "1/0xc/d/transfer_count": "x"])
        #expect(
            changes == [
                .init(
                    entity: "1/0xa/d", metric: "volume_raw", before: "5", after: Self.max256,
                    delta: "+" + String(Self.max256.dropLast(2)) + "30"),
                .init(entity: "1/0xb/d", metric: "transfer_count", before: "2", after: nil, delta: "-2"),
                .init(entity: "1/0xc/d", metric: "transfer_count", before: nil, after: "x", delta: nil),
            ])
    }
}

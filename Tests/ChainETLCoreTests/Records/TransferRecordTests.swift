import ChainETLCore
import Testing

@Suite("Canonical transfer records")
struct TransferRecordTests {
    static let line =
        #"{"transfer_id":"1c30ee8f8e07c3432d52dfced161634a","chain_id":1,"block_number":10773652,"block_time":"2020-09-01T06:29:16Z","block_hash":"0x54854f74a7cee57759b269742fe15e6a2fe5525f5d46d45e4c7ecb9f7ec91350","tx_hash":"0x00eea6359d247c9433d32620358555a0fd3265378ff146b9511b7cff1ecb7829","log_index":3,"occurrence":0,"token_address":"0xfc4b8ed459e00e5400be803a9bb3954234fd50e3","from_address":"0x0000000000000000000000000000000000000000","to_address":"0xba215f7be6c620da3f8240b82741eaf3c5f5d786","value":"177","token_symbol":null,"token_name":null,"token_decimals":null,"source":"etherscan-logs"}"#

    @Test("the builder writes the documented line and the digest of the identity")
    func builderLine() {
        var builder = TransferRecordBuilder()
        builder.chainID = 1
        builder.blockNumber = 10_773_652
        builder.blockTime = 1_598_941_756
        builder.blockHash = Array("0x54854f74a7cee57759b269742fe15e6a2fe5525f5d46d45e4c7ecb9f7ec91350".utf8)
        builder.txHash = Array("0x00eea6359d247c9433d32620358555a0fd3265378ff146b9511b7cff1ecb7829".utf8)
        builder.logIndex = 3
        builder.tokenAddress = Array("0xfc4b8ed459e00e5400be803a9bb3954234fd50e3".utf8)
        builder.fromAddress = Array("0x0000000000000000000000000000000000000000".utf8)
        builder.toAddress = Array("0xba215f7be6c620da3f8240b82741eaf3c5f5d786".utf8)
        builder.value = Array("177".utf8)
        builder.source = .etherscanLogs
        builder.assembleIdentityPrefix()
        #expect(
            String(decoding: builder.identityText, as: UTF8.self)
                == "1|0x00eea6359d247c9433d32620358555a0fd3265378ff146b9511b7cff1ecb7829|0xfc4b8ed459e00e5400be803a9bb3954234fd50e3|0x0000000000000000000000000000000000000000|0xba215f7be6c620da3f8240b82741eaf3c5f5d786|177|"
        )
        builder.finishIdentity(occurrence: 0)
        var writer = JSONLineWriter()
        builder.write(into: &writer)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == Self.line + "\n")
    }

    @Test("the hot-path digest equals TransferIdentity's")
    func digestsAgree() {
        let identity = TransferIdentity(
            chainID: 25, txHash: "0x" + String(repeating: "ab", count: 32),
            tokenAddress: "0x" + String(repeating: "1", count: 40),
            fromAddress: "0x" + String(repeating: "2", count: 40), toAddress: "0x" + String(repeating: "3", count: 40),
            value: "115792089237316195423570985008687907853269984665640564039457584007913129639935", occurrence: 12)
        var hex: [UInt8] = []
        var text = identity.canonicalText
        text.withUTF8 { TransferIdentity.appendTransferID(ofCanonicalText: UnsafeRawBufferPointer($0), to: &hex) }
        #expect(String(decoding: hex, as: UTF8.self) == identity.transferID)
        #expect(identity.transferID.count == 32)
    }

    @Test("a record line parses and writes back byte for byte")
    func roundTrip() throws {
        let record = try TransferRecord(parsing: Array(Self.line.utf8))
        #expect(record.blockTime == 1_598_941_756)
        #expect(record.value == UInt256(177))
        #expect(record.identity.transferID == record.transferID)
        var writer = JSONLineWriter()
        record.write(into: &writer)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == Self.line + "\n")
    }

    @Test("names needing escapes are escaped; plain UTF-8 is written as is")
    func textEscaping() throws {
        var record = try TransferRecord(parsing: Array(Self.line.utf8))
        record.tokenName = "USD-SWAP˳COM \"quoted\"\n"
        record.tokenSymbol = "é"
        var writer = JSONLineWriter()
        record.write(into: &writer)
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text.contains(#""token_symbol":"é","token_name":"USD-SWAP˳COM \"quoted\"\n""#))
        let back = try TransferRecord(parsing: writer.bytes.dropLast().map { $0 })
        #expect(back.tokenName == record.tokenName)
    }

    @Test("malformed record lines are refused with the field named")
    func malformed() {
        #expect(throws: TransferRecordError.missingField("source")) {
            try TransferRecord(
                parsing: Array(Self.line.replacingOccurrences(of: #","source":"etherscan-logs""#, with: "").utf8))
        }
        #expect(throws: TransferRecordError.unknownField("extra")) {
            try TransferRecord(
                parsing: Array(
                    Self.line.replacingOccurrences(of: "{\"transfer_id\"", with: "{\"extra\":1,\"transfer_id\"").utf8))
        }
        #expect(throws: TransferRecordError.wrongType(field: "block_time", expected: "YYYY-MM-DDTHH:MM:SSZ")) {
            try TransferRecord(
                parsing: Array(
                    Self.line.replacingOccurrences(of: "2020-09-01T06:29:16Z", with: "2020-09-31T06:29:16Z").utf8))
        }
        #expect(throws: TransferRecordError.self) { try TransferRecord(parsing: Array("{".utf8)) }
    }

    @Test("block times format and parse as UTC ISO-8601")
    func blockTimes() {
        #expect(BlockTimeText.text(unixSeconds: 0) == "1970-01-01T00:00:00Z")
        #expect(BlockTimeText.text(unixSeconds: 1_438_214_400) == "2015-07-30T00:00:00Z")
        #expect(BlockTimeText.text(unixSeconds: 1_709_251_199) == "2024-02-29T23:59:59Z")
        #expect(BlockTimeText.text(unixSeconds: 1_795_219_212) == "2026-11-21T00:00:12Z")
        for seconds in [0, 1_598_941_756, 1_709_251_199, 4_102_444_799] {
            var text = BlockTimeText.text(unixSeconds: seconds)
            #expect(text.withUTF8 { BlockTimeText.parse(UnsafeRawBufferPointer($0)) } == seconds)
        }
        var bad = "2023-02-29T00:00:00Z"
        #expect(bad.withUTF8 { BlockTimeText.parse(UnsafeRawBufferPointer($0)) } == nil)
    }

    @Test("sources round-trip by name")
    func sources() {
        for source in TransferSource.allCases {
            var name = source.rawValue
            #expect(name.withUTF8 { TransferSource(utf8: UnsafeRawBufferPointer($0)) } == source)
        }
        var unknown = "etherscan-logz"
        #expect(unknown.withUTF8 { TransferSource(utf8: UnsafeRawBufferPointer($0)) } == nil)
    }
}

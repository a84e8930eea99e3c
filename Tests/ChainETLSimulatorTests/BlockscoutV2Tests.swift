import ChainETLCore
import Foundation
import Testing

@testable import ChainETLSimulator

@Suite("Keccak-256 and EIP-55")
struct ChecksumAddressTests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    @Test func keccakMatchesKnownVectors() {
        #expect(
            Self.hex(Keccak256.hash([UInt8]()))
                == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(
            "0x" + Self.hex(Keccak256.hash(Array("Transfer(address,address,uint256)".utf8)))
                == ExplorerRowWriter.transferTopic)
    }

    /// The same permutation with SHA3's padding byte against FIPS 202 digests (Python hashlib),
    /// around the 136-byte block boundary and over two blocks.
    @Test(arguments: [
        ("abc", "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"),
        (String(repeating: "a", count: 135), "8094bb53c44cfb1e67b7c30447f9a1c33696d2463ecc1d9c92538913392843c9"),
        (String(repeating: "a", count: 136), "3fc5559f14db8e453a0a3091edbd2bc25e11528d81c66fa570a4efdcc2695ee1"),
        (String(repeating: "a", count: 200), "cce34485baf2bf2aca99b94833892a4f52896d3d153f7b840cc4f9fe695f1387"),
    ])
    func spongeMatchesSHA3(message: String, digest: String) {
        #expect(Self.hex(Keccak256.sponge(Array(message.utf8), domainByte: 0x06)) == digest)
    }

    /// The examples of EIP-55 itself.
    @Test(arguments: [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ])
    func eip55Examples(address: String) {
        #expect(ChecksumAddress.encode(address.lowercased()) == address)
        #expect(ChecksumAddress.encode(address.uppercased().replacingOccurrences(of: "0X", with: "0x")) == address)
    }
}

@Suite("Blockscout REST v2 token transfers")
struct BlockscoutV2Tests {
    let service = makeService()
    static let chain = SimulatedChain.chain(id: 1)!
    static let generator = ChainGenerator(chainID: 1, configuration: GeneratorConfiguration())!

    var tokenPath: String { "/blockscout/1/api/v2/tokens/\(usdc.address)/transfers" }
    /// Seeks below the test day's last block.
    var dayCursor: String { "block_number=\(testDayBlocks.upperBound + 1)&index=0" }

    static func cursorQuery(_ object: [String: Any]) -> String {
        object.keys.sorted().map { "\($0)=\(object[$0]!)" }.joined(separator: "&")
    }

    @Test func pageEnvelopeAndAddressObjectsMatchTheRecordedV2Shapes() throws {
        let reply = service.get(tokenPath + "?" + dayCursor)
        #expect(reply.status == 200)
        let fixture = try Fixture.bytes("blockscout-v2.withdrawals.page1")
        let ours = try JSONShape.of(reply.body)
        let recorded = try JSONShape.of(fixture)
        #expect(ours.hasPrefix("{items:[{"))
        #expect(recorded.hasPrefix("{items:[{"))
        // The keyset cursor: the fixture's keys plus block_number, every value a number.
        #expect(ours.hasSuffix(",next_page_params:{block_number:n,index:n,items_count:n}}"))
        #expect(recorded.hasSuffix(",next_page_params:{index:n,items_count:n}}"))

        let object = try reply.object()
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(items.count == 50)
        let recordedItem = try #require(
            (try JSONSerialization.jsonObject(with: Data(fixture)) as? [String: Any])?["items"] as? [[String: Any]]
        ).first
        let receiver = try #require(recordedItem?["receiver"])
        func shape(_ value: Any) throws -> String {
            try JSONShape.of(Array(try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])))
        }
        #expect(try shape(items[0]["from"]!) == shape(receiver))
        #expect(try shape(items[0]["to"]!) == shape(receiver))
        #expect(
            Array(try #require(items.first).keys).sorted() == [
                "block_hash", "block_number", "from", "log_index", "method", "timestamp", "to", "token", "token_type",
                "total", "transaction_hash", "type",
            ])
        // Served keys are in alphabetical order, as Blockscout's encoder writes small maps.
        let text = reply.text
        let order = ["\"block_hash\"", "\"block_number\"", "\"from\"", "\"log_index\"", "\"method\"", "\"timestamp\""]
        let positions = order.map { text.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())

        let timestamp = try #require(items[0]["timestamp"] as? String)
        let recordedTimestamp = try #require(recordedItem?["timestamp"] as? String)
        #expect(timestamp.count == recordedTimestamp.count && timestamp.hasSuffix(".000000Z"))
        #expect(items.allSatisfy { $0["token_type"] as? String == "ERC-20" })
        let total = try #require(items[0]["total"] as? [String: Any])
        #expect(total["decimals"] as? String == "6")
        #expect(UInt256(decimal: try #require(total["value"] as? String)) != nil)
        let token = try #require(items[0]["token"] as? [String: Any])
        #expect(token["address_hash"] as? String == ChecksumAddress.encode(usdc.address))
        #expect(token["symbol"] as? String == "USDC" && token["decimals"] as? String == "6")
    }

    @Test func addressHashesAreChecksummed() throws {
        let items = try #require(try service.get(tokenPath + "?" + dayCursor).object()["items"] as? [[String: Any]])
        var mixedCase = 0
        for item in items {
            for side in ["from", "to"] {
                let hash = try #require((item[side] as? [String: Any])?["hash"] as? String)
                #expect(ChecksumAddress.encode(hash.lowercased()) == hash)
                #expect(Self.chain.accountIndex(of: hash.lowercased()) != nil)
                if hash != hash.lowercased() { mixedCase += 1 }
            }
        }
        #expect(mixedCase > 50)
    }

    /// Walks the whole test day by passing each `next_page_params` back verbatim and compares with
    /// the generator: newest first, every USDC transfer of the day exactly once.
    @Test func cursorWalkServesEveryTransferNewestFirst() throws {
        var query = dayCursor
        var keys: [String] = []
        var positions: [(block: Int, logIndex: Int)] = []
        var counts: [Int] = []
        walk: while true {
            let object = try service.get(tokenPath + "?" + query).object()
            for item in try #require(object["items"] as? [[String: Any]]) {
                let block = try #require(item["block_number"] as? Int)
                guard block >= testDayBlocks.lowerBound else { break walk }
                positions.append((block, try #require(item["log_index"] as? Int)))
                let from = try #require((item["from"] as? [String: Any])?["hash"] as? String).lowercased()
                let to = try #require((item["to"] as? [String: Any])?["hash"] as? String).lowercased()
                let value = try #require((item["total"] as? [String: Any])?["value"] as? String)
                keys.append("\(item["transaction_hash"]!)|\(from)|\(to)|\(value)")
            }
            guard let next = object["next_page_params"] as? [String: Any] else { break }
            counts.append(try #require(next["items_count"] as? Int))
            query = Self.cursorQuery(next)
        }
        let expected = TransferScan.collect(
            Self.generator, range: testDayBlocks, descending: true,
            filter: TransferScan.Filter(tokenIndices: [usdc.index], includeERC721: false), skip: 0, limit: .max
        ).map { "\($0.transaction.hash)|\($0.log.fromAddress)|\($0.log.toAddress)|\($0.log.value)" }
        #expect(expected.count > 1_000)
        #expect(keys == expected)
        #expect(
            zip(positions, positions.dropFirst()).allSatisfy {
                $0.block > $1.block || ($0.block == $1.block && $0.logIndex > $1.logIndex)
            })
        // items_count accumulates the items served (50, 100, …), as Blockscout before v12 echoes it.
        #expect(Array(counts.prefix(3)) == [50, 100, 150])
    }

    @Test func lastPageHasNullCursor() throws {
        let reply = service.get(tokenPath + "?block_number=40&index=0")
        let object = try reply.object()
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(items.count < 50)
        #expect(object["next_page_params"] is NSNull)
        #expect(reply.text.hasSuffix(#""next_page_params":null}"#))
        let recorded = String(decoding: try Fixture.bytes("blockscout-v2.withdrawals.last-page"), as: UTF8.self)
        #expect(recorded.hasSuffix(#""next_page_params":null}"#))
    }

    @Test func erc20ListsNeverHoldERC721Items() throws {
        // An account that receives an ERC-721 transfer on the test day.
        let logs = Self.generator.blocks(testDayBlocks).lazy.flatMap(\.logs)
        let nft = try #require(logs.first { $0.isERC721 })
        let account = Self.chain.accountAddress(nft.toAccount)
        let path = "/blockscout/1/api/v2/addresses/\(ChecksumAddress.encode(account))/token-transfers"
        let cursor = "block_number=\(testDayBlocks.upperBound + 1)&index=0"
        let erc20 = try #require(try service.get(path + "?type=ERC-20&" + cursor).object()["items"] as? [[String: Any]])
        let all = try #require(try service.get(path + "?" + cursor).object()["items"] as? [[String: Any]])
        #expect(!erc20.isEmpty)
        #expect(erc20.allSatisfy { $0["token_type"] as? String == "ERC-20" })
        #expect(all.contains { $0["token_type"] as? String == "ERC-721" })
        let nftItem = try #require(all.first { $0["token_type"] as? String == "ERC-721" })
        #expect((nftItem["total"] as? [String: Any])?["token_id"] is String)

        let incoming = try #require(
            try service.get(path + "?type=ERC-20&filter=to&" + cursor).object()["items"] as? [[String: Any]])
        #expect(!incoming.isEmpty)
        #expect(
            incoming.allSatisfy { ($0["to"] as? [String: Any])?["hash"] as? String == ChecksumAddress.encode(account) })
        let withToken = try #require(
            try service.get(path + "?type=ERC-20&token=\(usdc.address)&" + cursor).object()["items"] as? [[String: Any]]
        )
        #expect(withToken.allSatisfy { ($0["token"] as? [String: Any])?["symbol"] as? String == "USDC" })
    }

    @Test func errorsAreMessagesWithStatus() throws {
        let invalid = service.get("/blockscout/1/api/v2/addresses/0x1234/token-transfers?type=ERC-20")
        #expect(invalid.status == 422 && invalid.text == #"{"message":"Invalid parameter(s)"}"#)
        let unknownToken = service.get("/blockscout/1/api/v2/tokens/0x\(String(repeating: "9", count: 40))/transfers")
        #expect(unknownToken.status == 404 && unknownToken.text == #"{"message":"Not found"}"#)
        let stranger = service.get(
            "/blockscout/1/api/v2/addresses/0x\(String(repeating: "9", count: 40))/token-transfers?type=ERC-20")
        #expect(stranger.status == 200 && stranger.text == #"{"items":[],"next_page_params":null}"#)
        #expect(service.get("/blockscout/1/api/v2/blocks").status == 404)
        #expect(service.get("/blockscout/77/api/v2/tokens/\(usdc.address)/transfers").status == 404)
    }

    /// A sparse list spends the per-request scan budget: the page is short but its cursor goes on.
    @Test func scanBudgetGivesShortPagesWithACursor() throws {
        let rare = ChecksumAddress.encode(Self.chain.accountAddress(SimulatedChain.accountPopulation))
        let reply = service.get(
            "/blockscout/1/api/v2/addresses/\(rare)/token-transfers?type=ERC-721&filter=from&block_number=200000&index=0"
        )
        let object = try reply.object()
        #expect(try #require(object["items"] as? [[String: Any]]).count < 50)
        let next = try #require(object["next_page_params"] as? [String: Any])
        #expect(next["block_number"] as? Int == 200_000 - ExplorerService.blockscoutV2ScanBudget + 1)
        #expect(next["index"] as? Int == 0)
    }

    @Test func rateLimitAndFaultsUseTheV2Envelope() throws {
        let limited = makeService(SimulatorConfiguration(ratePerSecond: 1, fixedNow: pinnedNow))
        #expect(limited.get(tokenPath + "?" + dayCursor).status == 200)
        let second = limited.get(tokenPath + "?" + dayCursor)
        #expect(second.status == 429)
        #expect(second.text.hasPrefix(#"{"message":"Too many requests"#))
        let faulty = makeService(
            SimulatorConfiguration(faultRate: 1, faultKinds: [.timeout, .tooManyRequests], fixedNow: pinnedNow))
        for _ in 0..<4 {
            let reply = faulty.get(tokenPath + "?" + dayCursor)
            #expect(reply.status == 503 || (reply.status == 429 && reply.text.hasPrefix(#"{"message":"#)))
        }
        #expect(faulty.currentStats.byAction["blockscout:v2/tokens/transfers"] == 4)
    }
}

import ChainETLCore
import Testing

@testable import ChainETLSimulator

/// The simulator's answers have the recorded responses' envelopes, field sets, key order and
/// string types, compared structurally with the fixtures.
@Suite("Envelope shapes match the recorded fixtures")
struct EnvelopeShapeTests {
    let service = makeService()
    let day = "startblock=\(testDayBlocks.lowerBound)&endblock=\(testDayBlocks.upperBound)"
    let logRange = "fromBlock=\(testDayBlocks.lowerBound)&toBlock=\(testDayBlocks.upperBound)"

    private func expectSameShape(_ reply: Reply, fixture: String) throws {
        #expect(reply.status == 200)
        #expect(try JSONShape.of(reply.body) == JSONShape.of(try Fixture.bytes(fixture)))
    }

    @Test func etherscanTokenTransfers() throws {
        let reply = service.get(
            "/v2/api?chainid=1&module=account&action=tokentx&contractaddress=\(usdc.address)&\(day)&page=1&offset=50&sort=asc"
        )
        try expectSameShape(reply, fixture: "etherscan.tokentx.page-eth-usdc")
        #expect(try reply.rows().count == 50)
        #expect(!reply.text.contains("logIndex"))
        #expect(reply.text.contains(#""input":"deprecated""#))
    }

    @Test func etherscanLogsUseBareZeroHex() throws {
        let reply = service.get(
            "/v2/api?chainid=1&module=logs&action=getLogs&address=\(usdc.address)&\(logRange)&page=1&offset=1000")
        try expectSameShape(reply, fixture: "etherscan.getlogs.two-logs-0x-quirk")
        #expect(reply.text.contains(#""transactionIndex":"0x""#))
        #expect(!reply.text.contains(#":"0x0""#))
        let rows = try reply.rows()
        #expect(rows.allSatisfy { ($0["topics"] as? [String])?.count == 3 && ($0["data"] as? String)?.count == 66 })
    }

    @Test func etherscanHeadAndBlockByTime() throws {
        try expectSameShape(
            service.get("/v2/api?chainid=1&module=proxy&action=eth_blockNumber"),
            fixture: "etherscan.proxy.eth-blocknumber")
        let reply = service.get(
            "/v2/api?chainid=1&module=block&action=getblocknobytime&timestamp=\(testDay.startUnixSeconds)&closest=after"
        )
        try expectSameShape(reply, fixture: "etherscan.block.getblocknobytime")
        #expect(reply.text == #"{"status":"1","message":"OK","result":"\#(testDayBlocks.lowerBound)"}"#)
        let before = service.get(
            "/v2/api?chainid=1&module=block&action=getblocknobytime&timestamp=\(testDay.endUnixSeconds - 1)&closest=before"
        )
        #expect(before.text.contains(#""result":"\#(testDayBlocks.upperBound)""#))
        let head = SimulatedChain.chain(id: 1)!.head(atUnixTime: pinnedNow)
        #expect(
            service.get("/v2/api?chainid=1&module=proxy&action=eth_blockNumber").text
                == #"{"jsonrpc":"2.0","result":"0x\#(String(head, radix: 16))","id":83}"#)
    }

    @Test func etherscanEmptyResults() throws {
        let tokens = service.get(
            "/v2/api?chainid=1&module=account&action=tokentx&contractaddress=\(punks.address)&\(day)")
        #expect(tokens.body == (try Fixture.bytes("etherscan.tokentx.empty")))
        let logs = service.get(
            "/v2/api?chainid=1&module=logs&action=getLogs&address=\(usdc.address)&fromBlock=1&toBlock=1&topic0=0x1234")
        #expect(logs.text == #"{"status":"0","message":"No records found","result":[]}"#)
    }

    @Test func blockscoutTokenTransfers() throws {
        let reply = service.get(
            "/blockscout/10/api?module=account&action=tokentx&contractaddress=\(SimulatedChain.tokens(chainID: 10)[1].address)&page=1&offset=20"
        )
        try expectSameShape(reply, fixture: "blockscout.tokentx.page-optimism")
        let rows = try reply.rows()
        #expect(rows.count == 20)
        // Default sort is descending, and methodId has no 0x.
        let numbers = rows.compactMap { Int($0["blockNumber"] as? String ?? "") }
        #expect(numbers == numbers.sorted(by: >))
        #expect(rows.allSatisfy { ($0["methodId"] as? String)?.hasPrefix("0x") == false })
    }

    @Test func blockscoutLogsArePaddedAndUseZeroZeroHex() throws {
        let reply = service.get("/blockscout/1/api?module=logs&action=getLogs&address=\(usdc.address)&\(logRange)")
        try expectSameShape(reply, fixture: "blockscout.getlogs.same-query")
        #expect(reply.text.contains(#""transactionIndex":"0x0""#))
        #expect(!reply.text.contains("blockHash"))
        #expect(try reply.rows().count == 1_000)
    }

    @Test func blockscoutErrorsAndHead() throws {
        let empty = service.get("/blockscout/1/api?module=account&action=tokentx&contractaddress=\(punks.address)")
        #expect(empty.body == (try Fixture.bytes("blockscout.tokentx.empty")))
        let missing = service.get("/blockscout/1/api?module=account&action=tokentx")
        #expect(
            missing.text
                == #"{"message":"Query parameter address or contractaddress is required","result":null,"status":"0"}"#)
        let logs = service.get("/blockscout/1/api?module=logs&action=getLogs&address=\(usdc.address)")
        #expect(logs.text.contains("Required query parameters missing: fromBlock, toBlock"))
        let head = SimulatedChain.chain(id: 1)!.head(atUnixTime: pinnedNow)
        #expect(
            service.get("/blockscout/1/api?module=block&action=eth_block_number").text
                == "{\"jsonrpc\":\"2.0\",\"result\": \"0x\(String(head, radix: 16))\",\"id\": 1}\n")
        let byTime = service.get(
            "/blockscout/1/api?module=block&action=getblocknobytime&timestamp=\(testDay.startUnixSeconds)&closest=after"
        )
        #expect(byTime.text == #"{"message":"OK","result":"\#(testDayBlocks.lowerBound)","status":"1"}"#)
    }

    @Test func erc721AppearsInGetLogsOnlyWithFourTopics() throws {
        let logs = try service.get("/v2/api?chainid=1&module=logs&action=getLogs&address=\(punks.address)&\(logRange)")
            .rows()
        #expect(!logs.isEmpty)
        #expect(logs.allSatisfy { ($0["topics"] as? [String])?.count == 4 && $0["data"] as? String == "0x" })
        let unfiltered = try service.get(
            "/v2/api?chainid=1&module=logs&action=getLogs&\(logRange)&topic0=\(ExplorerRowWriter.transferTopic)"
        ).rows()
        #expect(unfiltered.contains { ($0["topics"] as? [String])?.count == 4 })
        let transfers = try service.get(
            "/v2/api?chainid=1&module=account&action=tokentx&address=\(SimulatedChain.chain(id: 1)!.accountAddress(1))&\(day)"
        ).rows()
        #expect(!transfers.isEmpty)
        #expect(!transfers.contains { $0["contractAddress"] as? String == punks.address })
    }

    @Test func confirmationsMoveWithTheHead() throws {
        let later = makeService(SimulatorConfiguration(fixedNow: pinnedNow + 120))
        let query =
            "/v2/api?chainid=1&module=account&action=tokentx&contractaddress=\(usdc.address)&\(day)&page=1&offset=1"
        let now = try #require(try service.get(query).rows().first)
        let then = try #require(try later.get(query).rows().first)
        let head = SimulatedChain.chain(id: 1)!.head(atUnixTime: pinnedNow)
        let block = try #require(Int(now["blockNumber"] as? String ?? ""))
        #expect(now["confirmations"] as? String == String(head - block))
        #expect(then["confirmations"] as? String == String(head + 10 - block))
    }

    @Test func unsupportedChainAndDeprecatedV1() {
        #expect(
            service.get("/v2/api?chainid=56&module=proxy&action=eth_blockNumber").text.contains(
                "Missing or unsupported chainid parameter"))
        #expect(service.get("/api?module=proxy&action=eth_blockNumber").text.contains("deprecated V1 endpoint"))
        #expect(service.get("/nowhere").status == 404)
    }
}

@Suite("Rows without HTTP")
struct ExplorerRowFormatTests {
    @Test func writtenRowsEqualServedRows() throws {
        let service = makeService()
        let generator = ChainGenerator(chainID: 1, configuration: GeneratorConfiguration())!
        let head = SimulatedChain.chain(id: 1)!.head(atUnixTime: pinnedNow)
        let number = try #require(
            testDayBlocks.first { !generator.block($0).logs.filter { $0.tokenIndex == 0 }.isEmpty })
        let block = generator.block(number)
        let position = try #require(block.logs.firstIndex { $0.tokenIndex == 0 })
        let served = service.get(
            "/v2/api?chainid=1&module=account&action=tokentx&contractaddress=\(usdc.address)&startblock=\(number)&endblock=\(number)&offset=1"
        ).text
        var writer = JSONLineWriter()
        #expect(block.writeExplorerRow(.etherscanTokenTransfers, logAt: position, head: head, into: &writer))
        #expect(
            served == #"{"status":"1","message":"OK","result":["# + String(decoding: writer.bytes, as: UTF8.self) + "]}"
        )

        let nft = generator.blocks(testDayBlocks).first { $0.logs.contains(where: \.isERC721) }!
        var unused = JSONLineWriter()
        #expect(
            !nft.writeExplorerRow(
                .blockscoutTokenTransfers, logAt: nft.logs.firstIndex(where: \.isERC721)!, head: head, into: &unused))
        #expect(unused.bytes.isEmpty)
        #expect(
            nft.writeExplorerRow(
                .etherscanLogs, logAt: nft.logs.firstIndex(where: \.isERC721)!, head: head, into: &unused))
        #expect(String(decoding: unused.bytes, as: UTF8.self).contains(#""data":"0x","#))
    }
}

import Testing

@testable import ChainETLSimulator

@Suite("Paging quirks")
struct PagingTests {
    let service = makeService()
    var base: String {
        "/v2/api?chainid=1&module=account&action=tokentx&contractaddress=\(usdc.address)&startblock=\(testDayBlocks.lowerBound)&endblock=\(testDayBlocks.upperBound)"
    }

    private func keys(_ rows: [[String: Any]]) -> [String] {
        rows.map {
            "\($0["hash"] as? String ?? "")|\($0["from"] as? String ?? "")|\($0["to"] as? String ?? "")|\($0["value"] as? String ?? "")"
        }
    }

    @Test func offsetIsSilentlyCappedAtOneThousand() throws {
        let reply = service.get(base + "&page=1&offset=5000&sort=asc")
        #expect(try reply.object()["status"] as? String == "1")
        #expect(try reply.rows().count == 1_000)
    }

    @Test func resultWindowIsRefusedBeyondTenThousand() throws {
        let expected =
            #"{"status":"0","message":"NOTOK","result":"Result window is too large, PageNo x Offset size must be less than or equal to 10000"}"#
        #expect(service.get(base + "&page=11&offset=1000").text == expected)
        #expect(service.get(base + "&page=2&offset=5001").text == expected)
        #expect(service.get(base + "&page=10&offset=1000").status == 200)
        #expect(try service.get(base + "&page=10&offset=1000").object()["status"] as? String != nil)
    }

    @Test func pagesContinueInBlockThenLogOrder() throws {
        let first = try service.get(base + "&page=1&offset=1000&sort=asc").rows()
        let second = try service.get(base + "&page=2&offset=1000&sort=asc").rows()
        let generator = ChainGenerator(chainID: 1, configuration: GeneratorConfiguration())!
        let expected = TransferScan.collect(
            generator, range: testDayBlocks, descending: false,
            filter: TransferScan.Filter(tokenIndices: [usdc.index], includeERC721: false), skip: 0, limit: 2_000
        ).map { "\($0.transaction.hash)|\($0.log.fromAddress)|\($0.log.toAddress)|\($0.log.value)" }
        #expect(expected.count == 2_000)
        #expect(keys(first + second) == expected)
        let numbers = (first + second).compactMap { Int($0["blockNumber"] as? String ?? "") }
        #expect(numbers == numbers.sorted())
    }

    @Test func descendingIsTheReverseOfAscending() throws {
        let window =
            "/v2/api?chainid=1&module=account&action=tokentx&contractaddress=\(usdc.address)&startblock=\(testDayBlocks.lowerBound)&endblock=\(testDayBlocks.lowerBound + 300)&offset=1000"
        let ascending = try service.get(window + "&sort=asc").rows()
        let descending = try service.get(window + "&sort=desc").rows()
        #expect(ascending.count > 5)
        #expect(keys(ascending) == keys(descending).reversed())
    }

    @Test func logsHonourPageAndOffsetOnEtherscanButNotOnBlockscout() throws {
        let range = "address=\(usdc.address)&fromBlock=\(testDayBlocks.lowerBound)&toBlock=\(testDayBlocks.upperBound)"
        let page1 = try service.get("/v2/api?chainid=1&module=logs&action=getLogs&\(range)&page=1&offset=100").rows()
        let page2 = try service.get("/v2/api?chainid=1&module=logs&action=getLogs&\(range)&page=2&offset=100").rows()
        let whole = try service.get("/v2/api?chainid=1&module=logs&action=getLogs&\(range)&page=1&offset=200").rows()
        func position(_ row: [String: Any]) -> String { "\(row["blockNumber"] ?? "")/\(row["logIndex"] ?? "")" }
        #expect(page1.count == 100 && page2.count == 100)
        #expect((page1 + page2).map(position) == whole.map(position))
        #expect(
            service.get("/v2/api?chainid=1&module=logs&action=getLogs&\(range)&page=11&offset=1000").text.contains(
                "Result window is too large"))
        let blockscout1 = try service.get("/blockscout/1/api?module=logs&action=getLogs&\(range)&page=1&offset=10")
            .rows()
        let blockscout2 = try service.get("/blockscout/1/api?module=logs&action=getLogs&\(range)&page=2&offset=10")
            .rows()
        #expect(blockscout1.count == 1_000)
        #expect(
            blockscout1.map { $0["transactionHash"] as? String } == blockscout2.map { $0["transactionHash"] as? String }
        )
    }

    @Test func blockscoutWindowErrorHasNullResult() {
        let reply = service.get(
            "/blockscout/1/api?module=account&action=tokentx&contractaddress=\(usdc.address)&page=3&offset=5000")
        #expect(
            reply.text
                == #"{"message":"Result window is too large, PageNo x Offset size must be less than or equal to 10000","result":null,"status":"0"}"#
        )
    }

    @Test func denseBlockIsServedInFullAcrossPages() throws {
        let dense = makeService(
            SimulatorConfiguration(generator: GeneratorConfiguration(denseBlockEvery: 1_000), fixedNow: pinnedNow))
        let generator = ChainGenerator(chainID: 1, configuration: GeneratorConfiguration(denseBlockEvery: 1_000))!
        let token = try #require(generator.denseToken(forBlock: 2_189_000))
        let expected = generator.block(2_189_000).logs.filter { $0.tokenIndex == token.index }.count
        var served = 0
        for page in 1...3 {
            served += try dense.get(
                "/v2/api?chainid=1&module=account&action=tokentx&contractaddress=\(token.address)&startblock=2189000&endblock=2189000&page=\(page)&offset=1000"
            ).rows().count
        }
        #expect(expected > 1_000)
        #expect(served == expected)
    }
}

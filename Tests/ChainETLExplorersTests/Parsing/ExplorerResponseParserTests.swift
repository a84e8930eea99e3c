import ChainETLCore
import Foundation
import Testing

@testable import ChainETLExplorers

@Suite("ExplorerResponseParser against the recorded fixtures")
struct ExplorerResponseParserTests {
    let request = Fixtures.request

    @Test func etherscanTokentxPageKeepsEveryRowVerbatim() throws {
        let body = try Fixtures.bytes("etherscan.tokentx.page-eth-usdc")
        let rows = try ExplorerResponseParser.rows(from: HTTPResponse(status: 200, body: body), request: request)
        #expect(rows.count == 5)
        #expect(rows.map(\.blockNumber).first == 16_258_361)
        #expect(rows.map(\.blockNumber).last == 16_295_521)
        #expect(rows.allSatisfy { $0.logIndex == nil })
        // The rows, joined with commas, are exactly the bytes of the result array.
        let joined = rows.map(\.bytes).joined(separator: [UInt8(ascii: ",")])
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains(String(decoding: Array(joined), as: UTF8.self)))
        #expect(String(decoding: rows[0].bytes, as: UTF8.self).hasPrefix("{\"blockNumber\":\"16258361\",\"timeStamp\""))
    }

    @Test func gnosisSpamUnicodeRowsSurviveByteForByte() throws {
        let rows = try ExplorerResponseParser.rows(
            from: try Fixtures.response("etherscan.tokentx.gnosis-spam-unicode"), request: request)
        #expect(rows.map(\.blockNumber) == [31_261_542, 33_722_392])
        #expect(String(decoding: rows[0].bytes, as: UTF8.self).contains("\"tokenName\":\"USD-SWAP˳COM\""))
    }

    @Test func getLogsHexNumbersAndBareZeroLogIndex() throws {
        let rows = try ExplorerResponseParser.rows(
            from: try Fixtures.response("etherscan.getlogs.two-logs-0x-quirk"), request: request)
        #expect(rows.map(\.blockNumber) == [0xa46494, 0xa46494])
        #expect(rows.map(\.logIndex) == [3, 7])
        #expect(String(decoding: rows[0].bytes, as: UTF8.self).hasSuffix("\"transactionIndex\":\"0x\"}"))
    }

    @Test func blockscoutAlphabeticalEnvelopes() throws {
        let logs = try ExplorerResponseParser.rows(
            from: try Fixtures.response("blockscout.getlogs.transfer-same-query"), request: request)
        #expect(logs.map(\.blockNumber) == [0xa3769b])
        #expect(logs.map(\.logIndex) == [0x9d])
        let page = try ExplorerResponseParser.rows(
            from: try Fixtures.response("blockscout.tokentx.page-optimism"), request: request)
        #expect(page.count == 18)
        #expect(page.first?.blockNumber == 54_715_823)
        #expect(page.last?.blockNumber == 56_558_545)
        #expect(page.map(\.blockNumber) == page.map(\.blockNumber).sorted())
    }

    @Test(arguments: ["etherscan.tokentx.empty", "blockscout.tokentx.empty", "routescan.tokentx.empty-status1"])
    func emptyResultsAreSuccessWithZeroRows(fixture: String) throws {
        let rows = try ExplorerResponseParser.rows(from: try Fixtures.response(fixture), request: request)
        #expect(rows.isEmpty)
    }

    @Test func prettyPrintedV1RowsAreKeptOnOneLine() throws {
        // The pcko1 file wraps the `result` array as `res`; wrap it back into an envelope.
        let file = try Fixtures.bytes("etherscan-v1.tokentx.pcko1-35rows-2020")
        let resultBytes = try JSONScanner.withScanner(file) { scanner -> [UInt8] in
            let root = try scanner.root()
            let res = try #require(try scanner.member("res", of: root))
            return Array(UnsafeRawBufferPointer(rebasing: scanner.bytes[res.range]))
        }
        let body = Array("{\"status\":\"1\",\"message\":\"OK\",\"result\":".utf8) + resultBytes + [UInt8(ascii: "}")]
        let rows = try ExplorerResponseParser.rows(from: HTTPResponse(status: 200, body: body), request: request)
        #expect(rows.count == 35)
        #expect(rows.first?.blockNumber == 4_730_207)
        #expect(rows.last?.blockNumber == 11_061_275)
        #expect(rows.allSatisfy { !$0.bytes.contains(0x0A) })
        #expect(String(decoding: rows[0].bytes, as: UTF8.self).contains("\"value\":\"5901522149285533025181\""))
    }

    @Test func proxyAndGetBlockNoByTimeGiveBlockNumbers() throws {
        #expect(
            try ExplorerResponseParser.blockNumber(
                from: try Fixtures.response("etherscan.proxy.eth-blocknumber"), request: request) == 0x29ddd94)
        #expect(
            try ExplorerResponseParser.blockNumber(
                from: try Fixtures.response("etherscan.getblocknobytime.before"), request: request) == 22_997_210)
        let blockscout = HTTPResponse(
            status: 200, body: Array("{\"message\":\"OK\",\"result\":{\"blockNumber\":\"1234\"},\"status\":\"1\"}".utf8))
        #expect(try ExplorerResponseParser.blockNumber(from: blockscout, request: request) == 1234)
    }

    @Test func errorFixturesAreClassified() throws {
        func failure(_ fixture: String, status: Int = 200) throws -> ExplorerError? {
            do {
                _ = try ExplorerResponseParser.rows(from: try Fixtures.response(fixture, status: status), request: request)
                return nil
            } catch let error as ExplorerError {
                return error
            }
        }
        let perSecond = try #require(try failure("etherscan.error.rate-limit-per-sec-synthetic"))
        #expect(perSecond == .rateLimited("Max calls per sec rate limit reached (3/sec)", request: request))
        let documented = try #require(try failure("etherscan.error.rate-limit-synthetic"))
        #expect(documented.isThrottle && documented.isRetryable)
        let blockscout429 = try #require(try failure("blockscout.error.rate-limit-429-synthetic", status: 429))
        #expect(blockscout429.isThrottle && blockscout429.isRetryable)
        let notOnPlan = try #require(try failure("etherscan.error.free-api-not-supported"))
        guard case .chainNotOnPlan = notOnPlan else {
            Issue.record("expected chainNotOnPlan, got \(notOnPlan)")
            return
        }
        #expect(!notOnPlan.isRetryable)
        let unavailable = try #require(try failure("etherscan.error.free-api-temporarily-unavailable"))
        guard case .temporarilyUnavailable = unavailable else {
            Issue.record("expected temporarilyUnavailable, got \(unavailable)")
            return
        }
        #expect(unavailable.isRetryable)
    }

    @Test(arguments: [
        ("Invalid API Key", "invalidAPIKey"),
        ("Missing/Invalid API Key", "invalidAPIKey"),
        ("Error! Missing Or invalid Action name", "invalidRequest"),
        ("Error! Invalid address format", "invalidRequest"),
        ("Query Timeout occured. Please select a smaller result dataset", "queryTimeout"),
        ("Unexpected err, timeout occurred or server too busy. Please try again later", "temporarilyUnavailable"),
        ("Result window is too large, PageNo x Offset size must be less than or equal to 10000", "resultWindowTooLarge"),
        ("Something nobody documented", "explorerRejected"),
    ])
    func errorTextsInResultOrMessage(text: String, expected: String) throws {
        let inResult = "{\"status\":\"0\",\"message\":\"NOTOK\",\"result\":\"\(text)\"}"
        let inMessage = "{\"message\":\"\(text)\",\"result\":null,\"status\":\"0\"}"
        for body in [inResult, inMessage] {
            do {
                _ = try ExplorerResponseParser.rows(from: HTTPResponse(status: 200, body: Array(body.utf8)), request: request)
                Issue.record("\(body) parsed as rows")
            } catch let error as ExplorerError {
                #expect(caseName(error) == expected, "\(body)")
                #expect(error.description.contains("apikey=***"))
                #expect(!error.description.contains("SECRET"))
            }
        }
    }

    /// The text Etherscan's retired V1 API answers (../shared/reference/explorer-apis.md §1).
    @Test func aDeprecatedV1EndpointSaysToMoveTheBaseURLToV2() throws {
        let body =
            "{\"status\":\"0\",\"message\":\"NOTOK\",\"result\":\"You are using a deprecated V1 endpoint, switch to Etherscan API V2.\"}"
        do {
            _ = try ExplorerResponseParser.rows(from: HTTPResponse(status: 200, body: Array(body.utf8)), request: request)
            Issue.record("parsed \(body)")
        } catch let error as ExplorerError {
            #expect(!error.isRetryable)
            #expect(error.description.contains("retired V1 endpoint"))
            #expect(error.description.contains("set base_url to the V2 multichain API, https://api.etherscan.io/v2/api"))
            #expect(!error.description.contains("check the chain id, token and account addresses"))
        }
    }

    @Test func blockscoutErrorWithEmptyArrayIsStillAnError() throws {
        let body = "{\"message\":\"Too many requests. Increase limits now\",\"result\":[],\"status\":\"0\"}"
        #expect(throws: ExplorerError.self) {
            _ = try ExplorerResponseParser.rows(from: HTTPResponse(status: 200, body: Array(body.utf8)), request: request)
        }
    }

    @Test(arguments: [
        "{\"status\":\"1\",\"message\":\"OK\",\"result\":[{\"blockNumber\":\"1\"},{\"blockNu",
        "",
        "<html>502 Bad Gateway</html>",
        "{\"status\":\"1\",\"message\":\"OK\",\"result\":\"not rows\"}",
    ])
    func truncatedOrMalformedBodiesAreRetryable(body: String) throws {
        do {
            _ = try ExplorerResponseParser.rows(from: HTTPResponse(status: 200, body: Array(body.utf8)), request: request)
            Issue.record("parsed \(body)")
        } catch let error as ExplorerError {
            #expect(caseName(error) == "malformedResponse")
            #expect(error.isRetryable)
        }
    }

    @Test func httpStatusesAreClassified() throws {
        let html = Array("<html>bad gateway</html>".utf8)
        for (status, retryable) in [(502, true), (503, true), (429, true), (404, false), (403, false)] {
            do {
                _ = try ExplorerResponseParser.rows(from: HTTPResponse(status: status, body: html), request: request)
                Issue.record("status \(status) parsed")
            } catch let error as ExplorerError {
                #expect(error.isRetryable == retryable, "status \(status)")
                #expect(error.description.contains("http \(status)"))
                // An HTML error page is never carried into messages, logs or the report.
                #expect(!error.description.contains("<html>"))
                #expect(error.shortReason == "http \(status)")
            }
        }
    }

    @Test func blockscoutV2PagesCarryTheKeysetCursor() throws {
        let first = try ExplorerResponseParser.blockscoutV2Page(
            from: try Fixtures.response("blockscout-v2.withdrawals.page1"), request: request)
        #expect(first.items.count == 50)
        #expect(first.items.first?.blockNumber == 19_450_198)
        #expect(first.items.last?.blockNumber == 17_175_618)
        #expect(first.nextPageParameters == [QueryParameter("index", "2251866"), QueryParameter("items_count", "50")])
        let last = try ExplorerResponseParser.blockscoutV2Page(
            from: try Fixtures.response("blockscout-v2.withdrawals.last-page"), request: request)
        #expect(last.items.map(\.blockNumber) == [17_144_616, 17_113_691])
        #expect(last.nextPageParameters == nil)
        let client = BlockscoutClient(
            endpoint: ExplorerEndpoint(
                baseURL: URL(string: "http://127.0.0.1:9/blockscout/1/api")!, chainID: 1, apiKey: "K1",
                sendsChainID: false))
        let next = client.tokenTransfersV2Request(
            address: "0xabc", token: nil, cursor: first.nextPageParameters)
        #expect(
            next.url.absoluteString
                == "http://127.0.0.1:9/blockscout/1/api/v2/addresses/0xabc/token-transfers?type=ERC-20&index=2251866&items_count=50&apikey=K1")
    }

    private func caseName(_ error: ExplorerError) -> String {
        String(String(describing: Mirror(reflecting: error).children.first?.label ?? "\(error)"))
    }
}

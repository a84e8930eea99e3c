import ChainETLCore
import Foundation
import Testing

@testable import ChainETLStages

@Suite("Normalize: Blockscout REST v2 items")
struct NormalizeBlockscoutV2Tests {
    @Test func aV2ItemBecomesTheSameTransferAsTheOtherSources() throws {
        let run = try NormalizeRun([Rows.v2Line()])
        let v2 = try #require(try run.parsedRecords().first)
        let tokentx = try #require(try NormalizeRun([Rows.tokentxLine()]).parsedRecords().first)
        let log = try #require(try NormalizeRun([Rows.logLine()]).parsedRecords().first)
        #expect(v2.transferID == tokentx.transferID && v2.transferID == log.transferID)
        #expect(v2.source == .blockscoutV2)
        #expect(v2.fromAddress == Rows.from)
        #expect(v2.toAddress == Rows.to, "checksummed hashes are lowercased")
        #expect(v2.tokenAddress == Rows.token)
        #expect(v2.txHash == Rows.tx && v2.blockHash == Rows.blockHash)
        #expect(v2.blockNumber == 10_773_652 && v2.logIndex == 3 && v2.occurrence == 0)
        #expect(v2.blockTimeText == "2020-09-01T06:29:16Z")
        #expect(v2.value.description == "177")
        #expect(v2.tokenSymbol == "TST" && v2.tokenName == "Test Token" && v2.tokenDecimals == 18)
        #expect(run.counts.rowsOut == 1 && run.counts.isBalanced)
    }

    @Test func decimalsFallBackToTheTokenAndAreNullWhenUnknown() throws {
        let token = { (decimals: String) in
            "{\"address_hash\":\"\(Rows.v2Token)\",\"decimals\":\(decimals),\"name\":null,\"symbol\":\"\"}"
        }
        let fromToken = try NormalizeRun([
            Rows.v2Line(["total": "{\"decimals\":null,\"value\":\"177\"}", "token": token("\"6\"")])
        ]).parsedRecords()
        #expect(fromToken.first?.tokenDecimals == 6)
        #expect(fromToken.first?.tokenSymbol == nil && fromToken.first?.tokenName == nil)
        let unknown = try NormalizeRun([
            Rows.v2Line(["total": "{\"decimals\":null,\"value\":\"177\"}", "token": token("null")])
        ]).parsedRecords()
        #expect(unknown.count == 1 && unknown.first?.tokenDecimals == nil)
    }

    @Test func olderInstancesNameTheTokenAddressAddress() throws {
        let records = try NormalizeRun([
            Rows.v2Line(["token": "{\"address\":\"\(Rows.v2Token)\",\"decimals\":\"18\",\"symbol\":\"TST\"}"])
        ]).parsedRecords()
        #expect(records.first?.tokenAddress == Rows.token)
    }

    @Test func nonERC20ItemsAreExcludedAndCounted() throws {
        let run = try NormalizeRun([
            Rows.v2Line(["token_type": "\"ERC-721\"", "total": "{\"token_id\":\"7\",\"token_instance\":null}"]),
            Rows.v2Line(["token_type": "\"ERC-1155\"", "total": "{\"token_id\":\"1\",\"value\":\"3\"}"]),
            Rows.v2Line(["token_type": nil]),
        ])
        #expect(run.records.count == 1)
        #expect(run.counts.excludedByReason == ["erc721_transfer": 1, "other_token_standard": 1])
        #expect(run.counts.isBalanced)
    }

    @Test func identicalItemsInOneTransactionGetIncreasingOccurrences() throws {
        let run = try NormalizeRun([Rows.v2Line(["log_index": "3"]), Rows.v2Line(["log_index": "9"])])
        let records = try run.parsedRecords()
        #expect(records.map(\.occurrence) == [0, 1])
        #expect(records[0].transferID != records[1].transferID)
    }
}

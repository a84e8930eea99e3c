import ChainETLCore
import Testing

@testable import ChainETLStages

@Suite("execution rows")
struct ExecutionRowParserTests {
    static let parser = ExecutionRowParser(
        mapping: ExecutionMapping(
            paths: [
                .executionID: JSONFieldPath("id")!, .venue: JSONFieldPath("venue")!,
                .account: JSONFieldPath("r.account")!, .executedAt: JSONFieldPath("at")!,
                .status: JSONFieldPath("status")!, .filledSize: JSONFieldPath("r.size")!,
                .fillPrice: JSONFieldPath("r.price")!, .isTest: JSONFieldPath("test")!,
                .side: JSONFieldPath("r.side")!,
            ]), volumeStatuses: ["filled", "partial"])

    static func parse(_ row: String) -> Result<ExecutionRecord, FileRowRejection> {
        var line = #"{"file":"data/x.ndjson","line":7,"row":"# + row + "}"
        return line.withUTF8 { parser.parse(UnsafeRawBufferPointer($0), fallbackFile: "fallback", fallbackLine: 1) }
    }

    @Test func recordsKeepExactDecimalsAndNormalizeStatusSideAndFlags() throws {
        let record = try Self.parse(
            #"{"id":12345,"venue":"v","at":"2026-11-30T00:00:00Z","status":" Partial ","test":"YES","r":{"account":"a","size":0.10,"price":"3.000000000000000000001","side":"BUY"}}"#
        ).get()
        #expect(record.executionID == "12345")
        #expect(record.status == "partial")
        #expect(record.side == "buy")
        #expect(record.isTest)
        #expect(record.filledSize == "0.10")
        #expect(record.fillPrice == "3.000000000000000000001")
        #expect((record.file, record.line) == ("data/x.ndjson", 7))
    }

    @Test func aRejectionNamesEveryBadField() {
        let result = Self.parse(
            #"{"venue":"v","at":"30/11/2026","status":"filled","test":"maybe","r":{"account":{"x":1},"size":-1}}"#)
        guard case .failure(let rejection) = result else {
            Issue.record("accepted \(result)")
            return
        }
        #expect(rejection.line == 7)
        #expect(rejection.reason.contains("execution_id (id) is missing"))
        #expect(rejection.reason.contains("account (r.account) is invalid: an object or array"))
        #expect(rejection.reason.contains("executed_at (at) is invalid"))
        #expect(rejection.reason.contains("is_test (test) is invalid"))
        #expect(rejection.reason.contains("filled_size (r.size) is invalid: '-1' is negative"))
        #expect(rejection.reason.contains("fill_price (r.price) is invalid: required for status 'filled'"))
    }

    @Test func statusesOutsideTheVolumeSetNeedNoAmounts() throws {
        let record = try Self.parse(
            #"{"id":"c1","venue":"v","at":"2026-11-30T00:00:00Z","status":"cancelled","r":{"account":"a"}}"#
        ).get()
        #expect(record.filledSize == nil && record.fillPrice == nil && !record.isTest)
    }
}

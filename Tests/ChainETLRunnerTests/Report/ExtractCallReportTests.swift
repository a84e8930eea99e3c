import ChainETLCore
import ChainETLExplorers
import Foundation
import Testing

@testable import ChainETLRunner

@Suite("Calls per key and against the lower bound in the report")
struct ExtractCallReportTests {
    let day1 = PartitionDay("2026-11-20")!
    let day2 = PartitionDay("2026-11-21")!

    func unit(
        _ stage: String, kind: String = "extract/etherscan-logs", _ day: PartitionDay,
        _ status: UnitStatus = .succeeded, details: [String: String]
    ) -> UnitReport {
        UnitReport(stage: stage, kind: kind, partition: day, status: status, reason: "", details: details)
    }

    let key = APIKeyUsage(
        fingerprint: "key-00112233aabbccdd", configuredRatePerSecond: 5, calls: 148, spanSeconds: 31.4, throttles: 2)

    @Test func theTallySumsRunExtractsAndTheirLowerBounds() throws {
        let tally = try #require(
            ExtractCallTally(units: [
                unit("extract", day1, details: ["calls": "60", "calls.lower_bound": "50"]),
                unit("extract", day2, details: ["calls": "40", "calls.lower_bound": "40"]),
                // No lower bound yet (a stage from before the key existed): counted, not in the ratio.
                unit("extract_tokentx", kind: "extract/etherscan-tokentx", day1, details: ["calls": "7"]),
                // Skipped units describe an earlier run; files and normalize make no explorer call.
                unit("extract", day1.advanced(by: 2), .skipped, details: ["calls": "99", "calls.lower_bound": "1"]),
                unit("files", kind: "extract/file", day1, details: ["calls": "5"]),
                unit("normalize", kind: "normalize/transfers", day1, details: [:]),
            ]))
        #expect(tally.calls == 107)
        #expect(tally.stages.map(\.stage) == ["extract", "extract_tokentx"])
        #expect(tally.stages[0].units == 2)
        #expect(abs((tally.stages[0].ratioToLowerBound ?? 0) - 100.0 / 90) < 1e-12)
        #expect(tally.stages[1].lowerBound == nil)
        #expect(tally.stages[1].ratioToLowerBound == nil)
        #expect(tally.ratioToLowerBound == tally.stages[0].ratioToLowerBound)
    }

    @Test func noExplorerExtractNoTally() {
        #expect(ExtractCallTally(units: [unit("n", kind: "normalize/transfers", day1, details: ["calls": "1"])]) == nil)
        #expect(ExtractCallTally(units: [unit("extract", day1, details: [:])]) == nil)
    }

    @Test func theSummaryLineShowsCallsAndTheAchievedRatePerKey() {
        var report = RunReport(
            runID: "20261123T030000Z-ab12", pipeline: "nightly", pipelineFile: "/p.yaml", arguments: [],
            startedAt: Date(), partitions: [day1])
        report.apiKeys = [key]
        report.extractCalls = ExtractCallTally(units: [
            unit("extract", day1, details: ["calls": "148", "calls.lower_bound": "140"])
        ])
        let line = RunSummary.line(report, reportPath: "work/runs/x.json", elapsed: 33)
        #expect(
            line
                == "run 20261123T030000Z-ab12: 0 stages ok, 0 skipped, 0 failed, 1 partition, 33.0s, "
                + "key-00112233aabbccdd 148 calls at 4.71/s of 5/s, 2 throttled, calls 1.06× lower bound; "
                + "report work/runs/x.json")
    }

    @Test func theJSONReportCarriesKeysAndTallyAndOlderReportsStillDecode() throws {
        var report = RunReport(
            runID: "r", pipeline: "p", pipelineFile: "/p.yaml", arguments: [],
            startedAt: Date(timeIntervalSince1970: 0),
            partitions: [day1])
        report.apiKeys = [key]
        report.extractCalls = ExtractCallTally(units: [unit("extract", day1, details: ["calls": "3"])])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(report), as: UTF8.self)
        #expect(
            text.contains(
                #""api_keys":[{"calls":148,"configured_per_second":5,"fingerprint":"key-00112233aabbccdd","span_seconds":31.4,"throttles":2}]"#
            ))
        #expect(
            text.contains(
                #""extract_calls":{"stages":[{"calls":3,"calls_with_lower_bound":0,"stage":"extract","units":1}]}"#))
        report.apiKeys = nil
        report.extractCalls = nil
        let older = try JSONDecoder().decode(RunReport.self, from: try encoder.encode(report))
        #expect(older.apiKeys == nil)
    }

    @Test func theHTMLReportHasACallsSectionOnlyWhenCallsWereMade() {
        let plain = RunReportDocument(
            pipeline: "p", runID: "r", status: "succeeded", partitions: [day1], startedAt: Date(), finishedAt: nil)
        #expect(!RunReportHTML.render(plain).contains("id=\"calls\""))
        var document = plain
        document.apiKeys = [key]
        document.extractCalls = ExtractCallTally(units: [
            unit("extract", day1, details: ["calls": "148", "calls.lower_bound": "140"])
        ])
        let html = RunReportHTML.render(document)
        #expect(html.contains("id=\"calls\""))
        #expect(html.contains("<code>key-00112233aabbccdd</code>"))
        #expect(html.contains("4.71/s"))
        #expect(html.contains("<td class=\"number\">0.94</td>"))
        #expect(html.contains("<td class=\"number\">1.06</td>"))
    }
}

import ChainETLCore
import ChainETLStages
import Foundation
import Testing

@testable import ChainETLRunner

@Suite("HTML run report")
struct RunReportHTMLTests {
    let html = RunReportHTML.render(OperationsReportFixtures.document)

    func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// The `points="…"` of every `<polyline class="series" …>`.
    func seriesPoints() -> [[String]] {
        html.components(separatedBy: "<polyline class=\"series\"").dropFirst().map { chunk in
            let points = chunk.components(separatedBy: "points=\"")[1].components(separatedBy: "\"")[0]
            return points.split(separator: " ").map(String.init)
        }
    }

    @Test("one timeline bar per unit, coloured by status, untimed units marked")
    func timeline() {
        #expect(count("<rect class=\"bar", in: html) == 6)
        #expect(count("<rect class=\"bar untimed\"", in: html) == 2)
        #expect(count("data-status=\"failed\"", in: html) == 1)
        #expect(count("fill=\"#c62828\"><title>normalize 2026-11-17: failed", in: html) == 1)
        // The 42 s extract bar spans 42/61.5 of the 1046 px plot; positions are deterministic.
        #expect(html.contains("x=\"250\" y=\"31\" width=\"714.3\" height=\"12\""))
        #expect(html.contains(">2026-11-16 · extract</text>"))
    }

    @Test("one line per token with one point per day, values printed exactly")
    func chart() {
        let series = seriesPoints()
        #expect(series.count == 2)
        #expect(series.allSatisfy { $0.count == 3 })
        #expect(count("<circle class=\"point\"", in: html) == 6)
        #expect(html.contains("data-token=\"USDC 0xa0b8…eb48 · chain 1\""))
        // The peak sits at the top of the plot (y = 12), zero-ish values at the bottom (y = 160).
        #expect(series[0][1] == "310,12")
        #expect(series[1][2].hasSuffix(",160"))
        #expect(html.contains(">1,234.567891<"))
        #expect(html.contains(">98,765,432.1<"))
        #expect(html.contains(">2<") && html.contains(">0.000000000000000001<"))
        let exact = DecimalAmountText.formatted(OperationsReportFixtures.hugeVolume, decimals: 18)
        #expect(
            exact
                == "115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457.584007913129639935")
        #expect(html.contains(">\(exact)<"))
    }

    @Test("row accounting per stage with balance marks, and the events table")
    func tables() {
        #expect(html.contains("<td>normalize</td><td>2 partitions</td><td>1 succeeded, 1 failed</td>"))
        // normalize day 2: 4800 ≠ 4700 + 90 → ✗ on the row and on the stage total.
        #expect(count("<td class=\"bad\" title=\"not balanced\">✗</td>", in: html) == 2)
        #expect(count("<td class=\"ok\" title=\"balanced\">✓</td>", in: html) == 5)
        #expect(html.contains("<td class=\"number\">5,200</td>"))
        // A load's duplicates are rows already in the database, and say so; other stages' do not.
        #expect(count("already loaded</td>", in: html) == 1)
        #expect(html.contains("<tr class=\"total\"><td>load</td>"))
        #expect(count("<tr class=\"event\">", in: html) == 3)
        #expect(html.contains("<strong>http.retry</strong> × 1"))
        #expect(html.contains("<strong>rate.throttled</strong> × 1"))
        #expect(html.contains("<code>attempt=2 delay.ms=800</code>"))
    }

    @Test("self-contained: no external assets, no scripts, text escaped, deterministic")
    func selfContained() {
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(
            !html.contains("<script") && !html.contains("<link") && !html.contains("src=") && !html.contains("url("))
        #expect(html.contains("<style>") && html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("exceeds 0.1 % &lt;see quarantine.ndjson.gz&gt;"))
        #expect(!html.contains("<see quarantine"))
        #expect(RunReportHTML.render(OperationsReportFixtures.document) == html)
    }

    @Test("an empty run still renders every section with a note")
    func empty() {
        let document = RunReportDocument(
            pipeline: "p", runID: "r", status: "succeeded", partitions: [], startedAt: OperationsReportFixtures.start,
            finishedAt: nil)
        let page = RunReportHTML.render(document)
        #expect(page.contains("No stage units were planned."))
        #expect(page.contains("No stage reported row counts"))
        #expect(page.contains("No retries, throttles or other events."))
        #expect(page.contains("No daily volume"))
        #expect(count("<rect class=\"bar", in: page) == 0)
    }

    @Test("the page is written atomically next to the JSON report")
    func write() throws {
        let workdir = FileManager.default.temporaryDirectory.appendingPathComponent("ops-html-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: workdir) }
        let url = try RunReportPage.write(OperationsReportFixtures.document, workdir: workdir)
        #expect(url.path == workdir.path + "/runs/20261118T031500Z-4f2a.html")
        #expect(try String(contentsOf: url, encoding: .utf8) == html)
        let again = try RunReportPage.write(OperationsReportFixtures.document, workdir: workdir)
        #expect(again == url)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path) == [
                url.lastPathComponent
            ])
    }

    /// `make report-check` sets CHAINETL_REPORT_SAMPLE_DIR to screenshot this page in Chromium.
    @Test("the sample page for make report-check")
    func samplePage() throws {
        let environment = ProcessInfo.processInfo.environment
        let folder =
            environment["CHAINETL_REPORT_SAMPLE_DIR"].map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("ops-sample-\(UUID().uuidString)")
        let page = folder.appendingPathComponent("sample-report.html")
        try AtomicFile.write(Data(html.utf8), to: page)
        #expect(try Data(contentsOf: page).count == html.utf8.count)
        if environment["CHAINETL_REPORT_SAMPLE_DIR"] == nil { try FileManager.default.removeItem(at: folder) }
    }

    @Test("the runner's JSON report maps onto the page: units, counts, events")
    func mapsRunReport() {
        let start = OperationsReportFixtures.start
        var report = RunReport(
            runID: "r-1", pipeline: "nightly", pipelineFile: "pipelines/nightly.yaml", arguments: ["chainetl", "run"],
            startedAt: start, partitions: [OperationsReportFixtures.day1])
        report.status = .failed
        report.finishedAt = start.addingTimeInterval(5)
        report.units = [
            UnitReport(
                stage: "normalize", kind: "normalize", partition: OperationsReportFixtures.day1, status: .failed,
                reason: "selected", startedAt: start, finishedAt: start.addingTimeInterval(2),
                counts: RowCounts(rowsIn: 10, rowsOut: 8, quarantined: 2), error: "too many bad rows")
        ]
        report.events = [
            StageEvent(
                at: start, stageID: "normalize", partition: OperationsReportFixtures.day1, kind: "rows.quarantined",
                message: "rows quarantined", details: ["rows.count": "2"])
        ]
        let document = RunReportDocument(report: report)
        #expect(document.status == "failed" && document.runID == "r-1")
        #expect(document.units.first?.rows == RunReportDocument.RowAccounting(rowsIn: 10, rowsOut: 8, quarantined: 2))
        #expect(document.units.first?.error == "too many bad rows")
        #expect(document.events.first?.kind == "rows.quarantined" && document.events.first?.stage == "normalize")
        let page = RunReportHTML.render(document)
        #expect(count("<rect class=\"bar\"", in: page) == 1)
        #expect(page.contains("too many bad rows"))
    }

    @Test("exact amounts: grouping, decimals shift, trailing zeros, leading zeros")
    func amounts() {
        #expect(DecimalAmountText.formatted("0", decimals: 6) == "0")
        #expect(DecimalAmountText.formatted("000123", decimals: nil) == "123")
        #expect(DecimalAmountText.formatted("1000000", decimals: 6) == "1")
        #expect(DecimalAmountText.formatted("1500", decimals: 6) == "0.0015")
        #expect(DecimalAmountText.formatted("123456789", decimals: 0) == "123,456,789")
    }
}

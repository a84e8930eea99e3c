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
        // USDC is priced: charted in USD on a 0…$100M axis; its $98.8M peak sits just under the top
        // (y = 22 + 148 × (1 − 0.98765) = 23.8); WETH's 10^-18 token sits on the baseline (y = 170).
        #expect(series[0][1] == "334,23.8")
        #expect(series[1][2].hasSuffix(",170"))
        #expect(html.contains(">$1,234.57<") && html.contains(">$98,765,432.10<"))
        #expect(html.contains(">2<") && html.contains(">0.000000000000000001<"))
        let exact = DecimalAmountText.formatted(OperationsReportFixtures.hugeVolume, decimals: 18)
        #expect(
            exact
                == "115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457.584007913129639935")
        #expect(html.contains(">\(exact)<"))
    }

    @Test("charts have a y-axis with round ticks and the unit: USD, the token's symbol, or raw units")
    func yAxis() {
        #expect(html.contains("<text class=\"axis-title\" x=\"62\" y=\"12\" font-size=\"11\">USD per day</text>"))
        #expect(html.contains(">WETH per day</text>"))
        for label in ["$0", "$25M", "$50M", "$75M", "$100M"] {
            #expect(html.contains("text-anchor=\"end\">\(label)</text>"), "\(label)")
        }
        #expect(RunReportHTML.axisTicks(peak: 98_765_432.1) == [0, 25e6, 50e6, 75e6, 100e6])
        #expect(RunReportHTML.axisTicks(peak: 7) == [0, 2, 4, 6, 8])
        #expect(RunReportHTML.axisTicks(peak: 0) == [0, 1])
        #expect(RunReportHTML.tickLabel(1_500_000_000, unit: .usd) == "$1.5B")
        #expect(RunReportHTML.tickLabel(2500, unit: .tokens(symbol: "WETH")) == "2.5k")
        #expect(RunReportHTML.tickLabel(0.25, unit: .raw) == "0.25")
        #expect(html.contains("<th class=\"number\">USDC 0xa0b8…eb48 · chain 1 (USD)</th>"))
        #expect(html.contains("<th class=\"number\">WETH 0xc02a…6cc2 · chain 1 (WETH)</th>"))
    }

    @Test("USD amounts are rounded half up to cents on the digits")
    func dollars() {
        #expect(DecimalAmountText.dollars("8912345678.125") == "$8,912,345,678.13")
        #expect(DecimalAmountText.dollars("0.004") == "$0.00")
        #expect(DecimalAmountText.dollars("9.995") == "$10.00")
        #expect(DecimalAmountText.dollars("12") == "$12.00")
        #expect(DecimalAmountText.dollars("-1.5") == "-$1.50")
        #expect(DecimalAmountText.dollars("NaN") == "$NaN")
    }

    @Test("events are one line each: an HTML error body becomes its words")
    func eventsOneLine() throws {
        let rows = html.components(separatedBy: "<tr class=\"event\">").dropFirst().map {
            $0.components(separatedBy: "</tr>")[0]
        }
        #expect(rows.count == 4)
        for row in rows {
            #expect(!row.contains("\n") && !row.contains("\r"))
            #expect(!row.contains("&lt;html") && !row.contains("&lt;h1") && !row.contains("<html"))
        }
        #expect(html.contains(">HTTP 502 from explorer: 502 Bad Gateway 502 Bad Gateway nginx</td>"))
        #expect(HTMLText.plainLine("a\n\n  b\tc") == "a b c")
        #expect(HTMLText.plainLine("x < y and y > z") == "x < y and y > z")
        #expect(HTMLText.plainLine(String(repeating: "a", count: 300), limit: 10) == "aaaaaaaaa…")
    }

    @Test("wide tables scroll inside their section, charts and the timeline scale down")
    func wideTables() {
        let tables = count("<table", in: html)
        #expect(tables > 4)
        #expect(count("<div class=\"wide\"><table", in: html) == tables)
        #expect(html.contains(".wide { overflow-x: auto; max-width: 100%; }"))
        #expect(html.contains("svg.volume-chart { max-width: 100%; height: auto; }"))
        // The timeline keeps its size (its labels stay readable) and scrolls inside its section.
        #expect(html.contains("<div class=\"wide\"><svg class=\"timeline\""))
    }

    @Test("what changed: per stage counts, changed columns before and after, database figures")
    func whatChanged() throws {
        let section = try #require(
            html.range(of: "<section id=\"changes\">").map { String(html[$0.lowerBound...]) }?.components(
                separatedBy: "</section>"
            ).first)
        #expect(
            section.contains(
                "<tr class=\"stage-diff changed\"><td>normalize</td><td class=\"number\">1</td>"
                    + "<td class=\"number\">0</td><td class=\"number\">0</td><td class=\"number\">120</td>"
                    + "<td class=\"number\">5,030</td><td class=\"number\">1</td><td><code>token_symbol</code></td></tr>"
            ))
        #expect(
            section.contains(
                "<td><code>token_symbol</code></td><td class=\"before\"><code>&quot;USDC&quot;</code></td>"
                    + "<td class=\"after\"><code>&quot;USDX&quot;</code></td>"))
        #expect(section.contains("<td>transfer_count</td><td class=\"number\">5000</td><td class=\"number\">5120</td>"))
        #expect(section.contains("<code>chainetl diff 20261118T031500Z-4f2a</code>"))
        let empty = RunReportHTML.render(
            RunReportDocument(
                pipeline: "p", runID: "r", status: "succeeded", partitions: [],
                startedAt: OperationsReportFixtures.start,
                finishedAt: nil))
        #expect(empty.contains("Nothing to compare: no stage of this run replaced a checkpoint"))
    }

    @Test("rows per day against the trailing median: the empty upstream day is flagged")
    func dailyRows() throws {
        let section = try #require(
            html.range(of: "<section id=\"daily-rows\">").map { String(html[$0.lowerBound...]) }?.components(
                separatedBy: "</section>"
            ).first)
        #expect(section.contains("<li>chain 1 2026-11-17: 0 rows, 0 % of the trailing median 1,003 (below 50 %)</li>"))
        #expect(count("<li>", in: section) == 1)
        #expect(count("low-day\">", in: section) == 1)
        #expect(section.contains("<td class=\"number bad low-day\">⚠ 0 (0 %)</td>"))
        #expect(section.contains("<td class=\"number\">380 (95 %)</td>"))
        #expect(section.contains("default 50 %"))
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
        #expect(count("<tr class=\"event\">", in: html) == 4)
        #expect(html.contains("<strong>http.retry</strong> × 2"))
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

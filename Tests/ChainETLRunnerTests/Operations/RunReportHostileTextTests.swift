import ChainETLCore
import Foundation
import Testing

@testable import ChainETLRunner

/// Token names and symbols come from explorer rows; spam tokens use them as attacks. The HTML run
/// report must show them as inert text (issue 20 item 5).
@Suite("HTML run report: hostile token text")
struct RunReportHostileTextTests {
    static let hostile = [
        "=HYPERLINK(\"x\",\"y\") 0xdead…beef · chain 1",
        "<script>alert(1)</script> 0xbad0…0001 · chain 1",
        "<img src=x onerror=alert(1)> 'quoted' &amp;\nsecond line 0xbad0…0002 · chain 137",
    ]

    static func document() -> RunReportDocument {
        var document = OperationsReportFixtures.document
        let days = [PartitionDay("2026-11-16")!, PartitionDay("2026-11-17")!]
        document.dailyVolumes = hostile.flatMap { token in
            days.map { RunReportDocument.DailyVolume(token: token, day: $0, volume: "1000000", decimals: 6) }
        }
        return document
    }

    @Test("names with markup, formulas, quotes and newlines render as escaped text")
    func hostileNamesAreEscaped() {
        let html = RunReportHTML.render(Self.document())
        // No markup from a name survives: no element, no attribute, no event handler.
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains(" src=x onerror=alert(1)>"))
        // The names are there, escaped (attributes are double-quoted, so a quote cannot end one).
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt; &#39;quoted&#39; &amp;amp;"))
        #expect(html.contains("=HYPERLINK(&quot;x&quot;,&quot;y&quot;)"))
        #expect(!html.contains("HYPERLINK(\"x\""))
    }
}

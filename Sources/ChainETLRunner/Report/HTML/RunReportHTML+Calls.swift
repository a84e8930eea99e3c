import ChainETLCore
import ChainETLExplorers
import Foundation

extension RunReportHTML {
    /// Calls and achieved rate per API key, then calls against the lower bound per extract stage;
    /// nothing when the run made no explorer call.
    static func callsSection(_ document: RunReportDocument) -> String {
        guard !document.apiKeys.isEmpty || document.extractCalls != nil else { return "" }
        var html = "<section id=\"calls\">\n<h2>Explorer calls</h2>\n"
        if !document.apiKeys.isEmpty {
            html +=
                "<div class=\"wide\"><table class=\"keys\">\n<thead><tr><th>Key</th><th class=\"number\">Calls</th>"
                + "<th class=\"number\">Span</th><th class=\"number\">Achieved</th>"
                + "<th class=\"number\">Configured</th><th class=\"number\">Share</th>"
                + "<th class=\"number\">Throttled</th></tr></thead>\n<tbody>\n"
            for key in document.apiKeys {
                let cells = [
                    HTMLText.grouped(key.calls), String(format: "%.1f s", key.spanSeconds),
                    key.achievedRatePerSecond.map { String(format: "%.2f/s", $0) } ?? "n/a",
                    "\(RunSummary.rateText(key.configuredRatePerSecond))/s",
                    key.rateShare.map { String(format: "%.2f", $0) } ?? "n/a",
                    "\(HTMLText.grouped(key.throttles)) (\(String(format: "%.1f %%", key.throttledShare * 100)))",
                ].map { "<td class=\"number\">\($0)</td>" }.joined()
                html += "<tr class=\"key\"><td><code>\(HTMLText.escape(key.fingerprint))</code></td>\(cells)</tr>\n"
            }
            html += "</tbody>\n</table></div>\n"
            html +=
                "<p class=\"note\">Keys by fingerprint. Achieved = calls ÷ the span from the key's first call "
                + "to its last in this run; share = achieved ÷ the configured <code>per_second</code>.</p>\n"
        }
        if let tally = document.extractCalls {
            html +=
                "<div class=\"wide\"><table class=\"extract-calls\">\n<thead><tr><th>Stage</th><th class=\"number\">Units</th>"
                + "<th class=\"number\">Calls</th><th class=\"number\">Lower bound</th>"
                + "<th class=\"number\">Calls ÷ lower bound</th></tr></thead>\n<tbody>\n"
            for stage in tally.stages {
                let cells = [
                    String(stage.units), HTMLText.grouped(stage.calls),
                    stage.lowerBound.map(HTMLText.grouped) ?? "n/a",
                    stage.ratioToLowerBound.map { String(format: "%.2f", $0) } ?? "n/a",
                ].map { "<td class=\"number\">\($0)</td>" }.joined()
                html += "<tr><td>\(HTMLText.escape(stage.stage))</td>\(cells)</tr>\n"
            }
            html += "</tbody>\n</table></div>\n"
        }
        return html + "</section>\n"
    }
}

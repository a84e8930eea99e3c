import ChainETLCore
import Foundation

/// Renders a run as one self-contained HTML page: inline CSS and SVG, no scripts, no external assets.
///
/// Pure: the same document always gives the same bytes, so the page can be diffed and tested.
public enum RunReportHTML {
    /// The whole page.
    public static func render(_ document: RunReportDocument) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>chainetl run \(HTMLText.escape(document.runID)) · \(HTMLText.escape(document.pipeline))</title>
            <style>
            \(stylesheet)
            </style>
            </head>
            <body>

            """
        html += header(document)
        html += changesSection(document)
        html += timelineSection(document)
        html += accountingSection(document)
        html += callsSection(document)
        html += eventsSection(document)
        html += dailyRowsSection(document)
        html += volumeSection(document)
        html += """
            <footer>chainetl \(HTMLText.escape(ChainETLVersion.string)) · generated from the run report \
            runs/\(HTMLText.escape(document.runID)).json</footer>
            </body>
            </html>

            """
        return html
    }

    /// Fill colour of a unit or run status.
    static func color(forStatus status: String) -> String {
        switch status {
        case "succeeded": return "#2e7d32"
        case "skipped": return "#9e9e9e"
        case "failed", "invalid": return "#c62828"
        case "blocked": return "#ef6c00"
        case "locked": return "#6a1b9a"
        default: return "#1565c0"
        }
    }

    /// Statuses in legend order.
    static let legendStatuses = ["succeeded", "skipped", "failed", "blocked", "locked", "running"]

    /// `2026-11-14 … 2026-11-20 (7 days)`, or the single day.
    static func partitionsText(_ partitions: [PartitionDay]) -> String {
        let sorted = partitions.sorted()
        guard let first = sorted.first, let last = sorted.last else { return "none" }
        if first == last { return first.description }
        let contiguous = sorted.count == last.daysSinceEpoch - first.daysSinceEpoch + 1
        return "\(first) … \(last) (\(sorted.count) days\(contiguous ? "" : ", not contiguous"))"
    }

    private static func header(_ document: RunReportDocument) -> String {
        let duration = document.finishedAt.map { HTMLText.duration($0.timeIntervalSince(document.startedAt)) }
        var rows: [(String, String)] = [
            ("Pipeline", HTMLText.escape(document.pipeline)),
            ("Run", "<code>\(HTMLText.escape(document.runID))</code>"),
            (
                "Status",
                "<span class=\"badge\" style=\"background:\(color(forStatus: document.status))\">"
                    + "\(HTMLText.escape(document.status))</span>"
            ),
            ("Partitions", HTMLText.escape(partitionsText(document.partitions))),
            ("Started", UTCTimestamp.readable(document.startedAt)),
            ("Finished", document.finishedAt.map(UTCTimestamp.readable) ?? "not finished"),
            ("Duration", duration ?? "n/a"),
        ]
        let counts = Dictionary(grouping: document.units, by: \.status).mapValues(\.count)
        let unitText = legendStatuses.compactMap { status in counts[status].map { "\($0) \(status)" } }
        rows.append(("Units", HTMLText.escape(unitText.isEmpty ? "none" : unitText.joined(separator: ", "))))
        var html = "<header>\n<h1>chainetl run report</h1>\n<dl class=\"facts\">\n"
        for (name, value) in rows { html += "<dt>\(name)</dt><dd>\(value)</dd>\n" }
        html += "</dl>\n"
        if !document.summary.isEmpty {
            html += "<p class=\"summary\"><code>\(HTMLText.escape(document.summary))</code></p>\n"
        }
        if let resume = document.resumeCommand {
            html += "<p class=\"resume\">Resume with <code>\(HTMLText.escape(resume))</code></p>\n"
        }
        let failures = document.units.filter { $0.status == "failed" }
        if !failures.isEmpty {
            html += "<ul class=\"failures\">\n"
            for unit in failures {
                html +=
                    "<li><strong>\(HTMLText.escape(unit.stage))</strong> \(unit.partition): "
                    + "\(HTMLText.escape(unit.error ?? "failed"))</li>\n"
            }
            html += "</ul>\n"
        }
        return html + "</header>\n"
    }

    private static let stylesheet = """
        body { font: 14px/1.45 -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif;
          color: #1d232a; background: #f6f7f9; margin: 0; padding: 24px 32px; }
        h1 { font-size: 22px; margin: 0 0 12px; }
        h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid #d5d9de; padding-bottom: 4px; }
        header, section { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 16px 20px;
          margin-bottom: 18px; }
        section h2 { margin-top: 0; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
        dl.facts dt { color: #5b6670; }
        dl.facts dd { margin: 0; }
        .badge { color: #fff; border-radius: 4px; padding: 1px 8px; font-weight: 600; }
        code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
        p.summary, p.resume { margin: 10px 0 0; }
        ul.failures { color: #b71c1c; margin: 10px 0 0; padding-left: 20px; }
        table { border-collapse: collapse; width: 100%; font-size: 13px; }
        th, td { border-bottom: 1px solid #e6e9ec; padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f0f2f4; font-weight: 600; }
        td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
        tr.total td { font-weight: 600; background: #fafbfc; }
        td.ok { color: #2e7d32; font-weight: 700; }
        td.bad { color: #c62828; font-weight: 700; }
        td.low-day { background: #fdecea; }
        ul.low-days { color: #b71c1c; margin: 0 0 10px; padding-left: 20px; font-weight: 600; }
        p.ok-note { color: #2e7d32; margin: 0 0 10px; }
        .note { color: #5b6670; }
        .legend { display: flex; gap: 16px; flex-wrap: wrap; margin: 6px 0 10px; font-size: 13px; }
        .legend span::before { content: ""; display: inline-block; width: 12px; height: 12px;
          margin-right: 6px; vertical-align: -1px; border-radius: 2px; background: var(--swatch); }
        svg text { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; fill: #38424c; }
        svg .axis { stroke: #9aa4ad; stroke-width: 1; }
        svg .grid { stroke: #e6e9ec; stroke-width: 1; }
        .charts { display: flex; flex-wrap: wrap; gap: 14px; }
        .chart { border: 1px solid #e6e9ec; border-radius: 4px; padding: 6px 8px; width: 620px; }
        .chart .note { overflow-wrap: anywhere; font-size: 12.5px; }
        .chart h3 { font-size: 14px; margin: 2px 0 4px; }
        .wide { overflow-x: auto; max-width: 100%; }
        table.events td { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 28em; }
        svg.volume-chart { max-width: 100%; height: auto; }
        svg.timeline { max-width: 100%; min-width: 900px; height: auto; }
        .chart { max-width: 100%; box-sizing: border-box; }
        th, td.number, table.accounting td, table.volumes td:first-child, table.daily-rows td:first-child,
          table.column-changes td:nth-child(2) { white-space: nowrap; }
        header p, header li, section p { overflow-wrap: anywhere; }
        td.before code { color: #b71c1c; } td.after code { color: #1b5e20; }
        td.before, td.after { overflow-wrap: anywhere; max-width: 32em; }
        section h3 { font-size: 14px; margin: 14px 0 6px; }
        footer { color: #7a858f; font-size: 12px; margin-top: 10px; }
        """
}

import ChainETLCore
import Foundation

extension RunReportHTML {
    /// Run-to-run comparison: each chain's rows per day against its trailing 7-day median, days
    /// below the configured share flagged (an empty upstream day is the common silent failure).
    static func dailyRowsSection(_ document: RunReportDocument) -> String {
        var html = "<section id=\"daily-rows\">\n<h2>Rows per day against the trailing 7-day median</h2>\n"
        let rows = document.chainDailyRows
        guard !rows.isEmpty else {
            return html + "<p class=\"note\">No daily rows to compare (no aggregate ran yet).</p>\n</section>\n"
        }
        let threshold = percent(document.lowDayShare)
        let flagged = rows.filter(\.flagged)
        if flagged.isEmpty {
            html += "<p class=\"ok-note\">No day below \(threshold) of its chain's trailing 7-day median.</p>\n"
        } else {
            html += "<ul class=\"low-days\">\n"
            for row in flagged {
                let against =
                    row.trailingMedian.map { "\(percent(row.share ?? 0)) of the trailing median \(number($0))" }
                    ?? "no rows on any day of the window"
                html +=
                    "<li>chain \(row.chainID) \(row.day): \(HTMLText.grouped(row.rows)) rows, \(against) "
                    + "(below \(threshold))</li>\n"
            }
            html += "</ul>\n"
        }
        let chains = Array(Set(rows.map(\.chainID))).sorted()
        let days = Array(Set(rows.map(\.day))).sorted()
        var cells: [Int: [PartitionDay: ChainDayRows]] = [:]
        for row in rows { cells[row.chainID, default: [:]][row.day] = row }
        html += "<div class=\"wide\"><table class=\"daily-rows\">\n<thead><tr><th>Day</th>"
        for chain in chains { html += "<th class=\"number\">chain \(chain): rows</th><th class=\"number\">median</th>" }
        html += "</tr></thead>\n<tbody>\n"
        for day in days {
            html += "<tr><td>\(day)</td>"
            for chain in chains {
                guard let cell = cells[chain]?[day] else {
                    html += "<td class=\"number note\">—</td><td class=\"number note\">—</td>"
                    continue
                }
                let share = cell.share.map { " (\(percent($0)))" } ?? ""
                html +=
                    "<td class=\"number\(cell.flagged ? " bad low-day" : "")\">"
                    + "\(cell.flagged ? "⚠ " : "")\(HTMLText.grouped(cell.rows))\(share)</td>"
                    + "<td class=\"number\">\(cell.trailingMedian.map(number) ?? "—")</td>"
            }
            html += "</tr>\n"
        }
        html += "</tbody>\n</table></div>\n"
        html +=
            "<p class=\"note\">Rows are the transfers aggregated per chain and day (daily_token_volume). The median "
            + "is over the 7 days before, from the chain's first day with rows. A day is flagged below "
            + "\(threshold) of it (<code>chainetl run --low-day-share</code>, default "
            + "\(percent(DailyRowsComparison.defaultShare))).</p>\n"
        return html + "</section>\n"
    }

    private static func percent(_ share: Double) -> String {
        let value = share * 100
        return (value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)) + " %"
    }

    /// A median: an integer, or one half above one.
    private static func number(_ value: Double) -> String {
        HTMLText.grouped(Int(value)) + (value == value.rounded() ? "" : ".5")
    }
}

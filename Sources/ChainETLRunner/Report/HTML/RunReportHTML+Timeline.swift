import ChainETLCore
import Foundation

extension RunReportHTML {
    /// Layout of the Gantt-like timeline.
    enum TimelineLayout {
        static let width = 1320.0
        static let labelWidth = 250.0
        static let rightMargin = 24.0
        static let top = 28.0
        static let rowHeight = 18.0
        static let barHeight = 12.0
        static let minimumBarWidth = 2.0
        static var plotWidth: Double { width - labelWidth - rightMargin }
    }

    /// One bar per (partition, stage) unit, placed by its start and end and coloured by status.
    ///
    /// Units that never ran (skipped, blocked, locked) have no times: they get a thin mark at the
    /// run's start so every unit is still one row and one bar.
    static func timelineSection(_ document: RunReportDocument) -> String {
        var html = "<section id=\"timeline\">\n<h2>Stage timeline</h2>\n"
        guard !document.units.isEmpty else {
            return html + "<p class=\"note\">No stage units were planned.</p>\n</section>\n"
        }
        html += legend()
        let units = timelineOrder(document.units)
        let starts = units.compactMap(\.startedAt) + [document.startedAt]
        let ends =
            units.compactMap(\.finishedAt) + units.compactMap(\.startedAt) + [document.finishedAt].compactMap { $0 }
        let origin = starts.min() ?? document.startedAt
        let end = max(ends.max() ?? origin, origin)
        let span = max(end.timeIntervalSince(origin), 0.001)
        let layout = TimelineLayout.self
        let height = layout.top + Double(units.count) * layout.rowHeight + 8
        func x(_ date: Date) -> Double {
            layout.labelWidth + date.timeIntervalSince(origin) / span * layout.plotWidth
        }

        html +=
            "<div class=\"wide\"><svg class=\"timeline\" role=\"img\" aria-label=\"stage timeline\" width=\"\(HTMLText.pixels(layout.width))\" "
            + "height=\"\(HTMLText.pixels(height))\" viewBox=\"0 0 \(HTMLText.pixels(layout.width)) "
            + "\(HTMLText.pixels(height))\">\n"
        for tick in axisTicks(span: span) {
            let tickX = layout.labelWidth + tick / span * layout.plotWidth
            html +=
                "<line class=\"grid\" x1=\"\(HTMLText.pixels(tickX))\" y1=\"\(HTMLText.pixels(layout.top - 6))\" "
                + "x2=\"\(HTMLText.pixels(tickX))\" y2=\"\(HTMLText.pixels(height - 4))\"/>\n"
                + "<text x=\"\(HTMLText.pixels(tickX))\" y=\"14\" font-size=\"11\" text-anchor=\"middle\">"
                + "+\(HTMLText.escape(tickLabel(tick)))</text>\n"
        }
        for (row, unit) in units.enumerated() {
            let rowTop = layout.top + Double(row) * layout.rowHeight
            let barY = rowTop + (layout.rowHeight - layout.barHeight) / 2
            let label = "\(unit.partition) · \(unit.stage)"
            html +=
                "<text x=\"\(HTMLText.pixels(layout.labelWidth - 8))\" y=\"\(HTMLText.pixels(rowTop + 13))\" "
                + "font-size=\"12\" text-anchor=\"end\">\(HTMLText.escape(label))</text>\n"
            let startX: Double
            let barWidth: Double
            var untimed = false
            if let started = unit.startedAt {
                startX = x(started)
                let finished = unit.finishedAt ?? end
                barWidth = max(x(finished) - startX, layout.minimumBarWidth)
            } else {
                startX = layout.labelWidth
                barWidth = layout.minimumBarWidth
                untimed = true
            }
            var tooltip = "\(unit.stage) \(unit.partition): \(unit.status)"
            if let started = unit.startedAt, let finished = unit.finishedAt {
                tooltip += ", \(HTMLText.duration(finished.timeIntervalSince(started)))"
            }
            if !unit.reason.isEmpty { tooltip += " (\(unit.reason))" }
            if let error = unit.error { tooltip += ": \(error)" }
            html +=
                "<rect class=\"bar\(untimed ? " untimed" : "")\" data-status=\"\(HTMLText.escape(unit.status))\" "
                + "x=\"\(HTMLText.pixels(startX))\" y=\"\(HTMLText.pixels(barY))\" "
                + "width=\"\(HTMLText.pixels(barWidth))\" height=\"\(HTMLText.pixels(layout.barHeight))\" rx=\"2\" "
                + "fill=\"\(color(forStatus: unit.status))\"><title>\(HTMLText.escape(tooltip))</title></rect>\n"
        }
        html +=
            "<line class=\"axis\" x1=\"\(HTMLText.pixels(layout.labelWidth))\" y1=\"\(HTMLText.pixels(layout.top - 6))\" "
            + "x2=\"\(HTMLText.pixels(layout.labelWidth))\" y2=\"\(HTMLText.pixels(height - 4))\"/>\n"
        html += "</svg></div>\n"
        html += "<p class=\"note\">Time since the run started (\(UTCTimestamp.readable(origin))); hover a bar for details.</p>\n"
        return html + "</section>\n"
    }

    /// Partitions in date order; within one, stages in the order the run reported them.
    static func timelineOrder(_ units: [RunReportDocument.Unit]) -> [RunReportDocument.Unit] {
        var stageRank: [String: Int] = [:]
        for unit in units where stageRank[unit.stage] == nil { stageRank[unit.stage] = stageRank.count }
        return units.enumerated().sorted { left, right in
            let (l, r) = (left.element, right.element)
            if l.partition != r.partition { return l.partition < r.partition }
            let (lr, rr) = (stageRank[l.stage] ?? 0, stageRank[r.stage] ?? 0)
            if lr != rr { return lr < rr }
            return left.offset < right.offset
        }.map(\.element)
    }

    /// A round step that gives at most ten ticks over `span` seconds, then the ticks from 0.
    static func axisTicks(span: Double) -> [Double] {
        let steps: [Double] = [
            0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
            14_400, 21_600, 43_200, 86_400,
        ]
        let step = steps.first { span / $0 <= 10 } ?? (span / 10).rounded(.up)
        return stride(from: 0, through: span + step * 1e-9, by: step).map { $0 }
    }

    /// `0.5s`, `30s`, `2m`, `1h30m`.
    static func tickLabel(_ seconds: Double) -> String {
        if seconds < 60 {
            return seconds == seconds.rounded() ? "\(Int(seconds))s" : String(format: "%gs", seconds)
        }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return whole % 60 == 0 ? "\(whole / 60)m" : "\(whole / 60)m\(whole % 60)s" }
        return whole % 3600 == 0 ? "\(whole / 3600)h" : "\(whole / 3600)h\((whole % 3600) / 60)m"
    }

    private static func legend() -> String {
        let items = legendStatuses.map {
            "<span style=\"--swatch:\(color(forStatus: $0))\">\($0)</span>"
        }
        return "<div class=\"legend\">\(items.joined())</div>\n"
    }
}

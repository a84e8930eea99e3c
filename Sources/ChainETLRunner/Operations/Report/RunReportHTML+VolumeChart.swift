import ChainETLCore

extension RunReportHTML {
    /// Layout of one token's daily volume chart.
    enum ChartLayout {
        static let width = 620.0
        static let height = 190.0
        static let left = 14.0
        static let right = 14.0
        static let top = 12.0
        static let bottom = 30.0
        static var plotWidth: Double { width - left - right }
        static var plotHeight: Double { height - top - bottom }
        /// More tokens than this make the page unreadable; the caller passes the top ones first.
        static let maximumTokens = 8
    }

    /// Small multiples: one line chart per token, each on its own scale (raw amounts of different
    /// tokens are not comparable), then the exact values as a table.
    ///
    /// `Double` is used only to place points; every number printed comes from the exact text.
    static func volumeSection(_ document: RunReportDocument) -> String {
        var html = "<section id=\"volume\">\n<h2>Daily volume of the top tokens</h2>\n"
        let series = volumeSeries(document.dailyVolumes)
        guard !series.isEmpty else {
            return html
                + "<p class=\"note\">No daily volume for this run's partitions (no aggregate ran, or no transfers).</p>\n"
                + "</section>\n"
        }
        let days = Array(Set(series.flatMap { $0.points.keys })).sorted()
        html += "<div class=\"charts\">\n"
        for token in series { html += chart(token, days: days) }
        html += "</div>\n"
        html += volumeTable(series, days: days)
        return html + "</section>\n"
    }

    /// One token's points by day, in the document's token order, capped at `maximumTokens`.
    struct VolumeSeries {
        var token: String
        var decimals: Int?
        var points: [PartitionDay: String]
    }

    static func volumeSeries(_ volumes: [RunReportDocument.DailyVolume]) -> [VolumeSeries] {
        var order: [String] = []
        var byToken: [String: VolumeSeries] = [:]
        for volume in volumes {
            if byToken[volume.token] == nil {
                guard order.count < ChartLayout.maximumTokens else { continue }
                order.append(volume.token)
                byToken[volume.token] = VolumeSeries(token: volume.token, decimals: volume.decimals, points: [:])
            }
            byToken[volume.token]?.points[volume.day] = volume.volume
            if let decimals = volume.decimals { byToken[volume.token]?.decimals = decimals }
        }
        return order.compactMap { byToken[$0] }
    }

    private static func chart(_ series: VolumeSeries, days: [PartitionDay]) -> String {
        let layout = ChartLayout.self
        let peak = series.points.values.max { DecimalAmountText.magnitude($0) < DecimalAmountText.magnitude($1) } ?? "0"
        let peakMagnitude = DecimalAmountText.magnitude(peak)
        func x(_ index: Int) -> Double {
            days.count == 1
                ? layout.left + layout.plotWidth / 2
                : layout.left + Double(index) / Double(days.count - 1) * layout.plotWidth
        }
        func y(_ raw: String?) -> Double {
            guard let raw, peakMagnitude > 0 else { return layout.top + layout.plotHeight }
            return layout.top + layout.plotHeight * (1 - DecimalAmountText.magnitude(raw) / peakMagnitude)
        }
        let baseline = layout.top + layout.plotHeight
        let coordinates = days.indices.map { (x($0), y(series.points[days[$0]])) }
        let points = coordinates.map { "\(HTMLText.pixels($0.0)),\(HTMLText.pixels($0.1))" }.joined(separator: " ")
        let token = HTMLText.escape(series.token)
        var html = "<div class=\"chart\">\n<h3>\(token)</h3>\n"
        html +=
            "<div class=\"note\">peak \(HTMLText.escape(DecimalAmountText.formatted(peak, decimals: series.decimals)))"
            + "\(series.decimals == nil ? " (raw units)" : "")</div>\n"
        html +=
            "<svg class=\"volume-chart\" role=\"img\" aria-label=\"daily volume of \(token)\" "
            + "width=\"\(HTMLText.pixels(layout.width))\" height=\"\(HTMLText.pixels(layout.height))\" "
            + "viewBox=\"0 0 \(HTMLText.pixels(layout.width)) \(HTMLText.pixels(layout.height))\">\n"
        for fraction in [0.25, 0.5, 0.75, 1.0] {
            let gridY = layout.top + layout.plotHeight * (1 - fraction)
            html +=
                "<line class=\"grid\" x1=\"\(HTMLText.pixels(layout.left))\" y1=\"\(HTMLText.pixels(gridY))\" "
                + "x2=\"\(HTMLText.pixels(layout.width - layout.right))\" y2=\"\(HTMLText.pixels(gridY))\"/>\n"
        }
        html +=
            "<line class=\"axis\" x1=\"\(HTMLText.pixels(layout.left))\" y1=\"\(HTMLText.pixels(baseline))\" "
            + "x2=\"\(HTMLText.pixels(layout.width - layout.right))\" y2=\"\(HTMLText.pixels(baseline))\"/>\n"
        if let first = coordinates.first, let last = coordinates.last {
            html +=
                "<polygon class=\"area\" fill=\"#1565c0\" fill-opacity=\"0.12\" stroke=\"none\" "
                + "points=\"\(HTMLText.pixels(first.0)),\(HTMLText.pixels(baseline)) \(points) "
                + "\(HTMLText.pixels(last.0)),\(HTMLText.pixels(baseline))\"/>\n"
        }
        html +=
            "<polyline class=\"series\" data-token=\"\(token)\" fill=\"none\" stroke=\"#1565c0\" stroke-width=\"2\" "
            + "points=\"\(points)\"/>\n"
        for (index, day) in days.enumerated() {
            let raw = series.points[day]
            let value = raw.map { DecimalAmountText.formatted($0, decimals: series.decimals) } ?? "no data"
            html +=
                "<circle class=\"point\" cx=\"\(HTMLText.pixels(coordinates[index].0))\" "
                + "cy=\"\(HTMLText.pixels(coordinates[index].1))\" r=\"3\" fill=\"#1565c0\">"
                + "<title>\(day): \(HTMLText.escape(value))</title></circle>\n"
        }
        let labelEvery = max(1, Int((Double(days.count) / 8).rounded(.up)))
        for (index, day) in days.enumerated() where index % labelEvery == 0 || index == days.count - 1 {
            let (_, month, dayOfMonth) = day.components
            // The outermost labels align to the plot's edges so they are never clipped.
            let anchor =
                days.count == 1 ? "middle" : index == 0 ? "start" : index == days.count - 1 ? "end" : "middle"
            html +=
                "<text x=\"\(HTMLText.pixels(x(index)))\" y=\"\(HTMLText.pixels(layout.height - 10))\" "
                + "font-size=\"11\" text-anchor=\"\(anchor)\">"
                + "\(month < 10 ? "0" : "")\(month)-\(dayOfMonth < 10 ? "0" : "")\(dayOfMonth)</text>\n"
        }
        return html + "</svg>\n</div>\n"
    }

    private static func volumeTable(_ series: [VolumeSeries], days: [PartitionDay]) -> String {
        var html = "<table class=\"volumes\">\n<thead><tr><th>Day</th>"
        for token in series {
            let unit = token.decimals == nil ? " (raw)" : ""
            html += "<th class=\"number\">\(HTMLText.escape(token.token))\(unit)</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for day in days {
            html += "<tr><td>\(day)</td>"
            for token in series {
                let value = token.points[day].map { DecimalAmountText.formatted($0, decimals: token.decimals) } ?? "—"
                html += "<td class=\"number\">\(HTMLText.escape(value))</td>"
            }
            html += "</tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }
}

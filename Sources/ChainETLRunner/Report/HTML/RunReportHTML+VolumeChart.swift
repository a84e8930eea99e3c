import ChainETLCore
import Foundation

extension RunReportHTML {
    /// Layout of one token's daily volume chart.
    enum ChartLayout {
        static let width = 620.0
        static let height = 200.0
        /// Room for the y-axis tick labels.
        static let left = 62.0
        static let right = 14.0
        /// Room for the y-axis unit above the plot.
        static let top = 22.0
        static let bottom = 30.0
        static var plotWidth: Double { width - left - right }
        static var plotHeight: Double { height - top - bottom }
        /// More tokens than this make the page unreadable; the caller passes the top ones first.
        static let maximumTokens = 8
    }

    /// Small multiples: one line chart per token, each on its own scale with a y-axis in its unit
    /// (USD when the token is priced, else whole tokens, else raw units), then the exact values as
    /// a table.
    ///
    /// `Double` is used only to place points and to label round axis ticks; every data value
    /// printed comes from the exact text.
    static func volumeSection(_ document: RunReportDocument) -> String {
        var html = "<section id=\"volume\">\n<h2>Daily volume of the top tokens</h2>\n"
        let series = volumeSeries(document.dailyVolumes)
        guard !series.isEmpty else {
            return html
                + "<p class=\"note\">No daily volume for this run's partitions (no aggregate ran, or no transfers).</p>\n"
                + "</section>\n"
        }
        let days = Array(Set(series.flatMap { $0.points.keys })).sorted()
        html +=
            "<p class=\"note\">Ranked by USD volume where a price is known, then by volume in whole tokens "
            + "(never by raw integers, whose scale depends on the token's decimals).</p>\n"
        html += "<div class=\"charts\">\n"
        for token in series { html += chart(token, days: days) }
        html += "</div>\n"
        html += volumeTable(series, days: days)
        return html + "</section>\n"
    }

    /// What a series' values are measured in.
    enum VolumeUnit: Equatable {
        case usd
        case tokens(symbol: String?)
        case raw

        /// `USD per day`, `WETH per day`, `tokens per day`, `raw units per day`.
        var axisTitle: String {
            switch self {
            case .usd: return "USD per day"
            case .tokens(let symbol): return "\(symbol ?? "tokens") per day"
            case .raw: return "raw units per day (decimals unknown)"
            }
        }
    }

    /// One token's points by day, in the document's token order, capped at `maximumTokens`.
    struct VolumeSeries {
        var token: String
        var decimals: Int?
        var symbol: String?
        /// Raw volume by day.
        var points: [PartitionDay: String]
        /// USD volume by day, for the days with a price.
        var usd: [PartitionDay: String]

        var unit: VolumeUnit {
            if !usd.isEmpty { return .usd }
            return decimals == nil ? .raw : .tokens(symbol: symbol)
        }

        /// The printed value of `day` in the series' unit (exact), nil when there is none.
        func text(_ day: PartitionDay) -> String? {
            switch unit {
            case .usd: return usd[day].map(DecimalAmountText.dollars)
            case .tokens, .raw: return points[day].map { DecimalAmountText.formatted($0, decimals: decimals) }
            }
        }

        /// The value of `day` in the series' unit, for drawing only.
        func magnitude(_ day: PartitionDay) -> Double? {
            switch unit {
            case .usd: return usd[day].map(DecimalAmountText.magnitude)
            case .tokens, .raw:
                return points[day].map { DecimalAmountText.magnitude($0) / pow(10, Double(decimals ?? 0)) }
            }
        }
    }

    static func volumeSeries(_ volumes: [RunReportDocument.DailyVolume]) -> [VolumeSeries] {
        var order: [String] = []
        var byToken: [String: VolumeSeries] = [:]
        for volume in volumes {
            if byToken[volume.token] == nil {
                guard order.count < ChartLayout.maximumTokens else { continue }
                order.append(volume.token)
                byToken[volume.token] = VolumeSeries(
                    token: volume.token, decimals: volume.decimals, symbol: volume.symbol, points: [:], usd: [:])
            }
            byToken[volume.token]?.points[volume.day] = volume.volume
            if let usd = volume.usd { byToken[volume.token]?.usd[volume.day] = usd }
            if let decimals = volume.decimals { byToken[volume.token]?.decimals = decimals }
            if let symbol = volume.symbol { byToken[volume.token]?.symbol = symbol }
        }
        return order.compactMap { byToken[$0] }
    }

    /// Round y-axis ticks from 0 to at least `peak`: steps of 1, 2, 2.5 or 5 × 10^k, at most 4 intervals.
    static func axisTicks(peak: Double) -> [Double] {
        guard peak > 0, peak.isFinite else { return [0, 1] }
        let rough = peak / 4
        let exponent = (log10(rough)).rounded(.down)
        let base = pow(10, exponent)
        let step = ([1, 2, 2.5, 5, 10].first { $0 * base >= rough * (1 - 1e-12) } ?? 10) * base
        let intervals = max(1, Int((peak / step - 1e-9).rounded(.up)))
        return (0...intervals).map { Double($0) * step }
    }

    /// `$1.25B`, `350k`, `0.5`, `1.2e+77`: a round tick value, short.
    static func tickLabel(_ value: Double, unit: VolumeUnit) -> String {
        let prefix = unit == .usd ? "$" : ""
        guard value != 0 else { return prefix + "0" }
        let scales: [(Double, String)] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")]
        if value >= 1e15 { return prefix + String(format: "%.2g", value) }
        for (scale, suffix) in scales where value >= scale {
            return prefix + trimmed(value / scale) + suffix
        }
        return prefix + (value >= 0.01 ? trimmed(value) : String(format: "%.2g", value))
    }

    private static func trimmed(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    private static func chart(_ series: VolumeSeries, days: [PartitionDay]) -> String {
        let layout = ChartLayout.self
        let unit = series.unit
        let peakDay = days.max { (series.magnitude($0) ?? 0) < (series.magnitude($1) ?? 0) }
        let ticks = axisTicks(peak: peakDay.flatMap(series.magnitude) ?? 0)
        let axisMaximum = ticks.last ?? 1
        func x(_ index: Int) -> Double {
            days.count == 1
                ? layout.left + layout.plotWidth / 2
                : layout.left + Double(index) / Double(days.count - 1) * layout.plotWidth
        }
        func y(_ value: Double?) -> Double {
            guard let value, axisMaximum > 0 else { return layout.top + layout.plotHeight }
            return layout.top + layout.plotHeight * (1 - value / axisMaximum)
        }
        let baseline = layout.top + layout.plotHeight
        let coordinates = days.indices.map { (x($0), y(series.magnitude(days[$0]))) }
        let points = coordinates.map { "\(HTMLText.pixels($0.0)),\(HTMLText.pixels($0.1))" }.joined(separator: " ")
        let token = HTMLText.escape(series.token)
        var html = "<div class=\"chart\">\n<h3>\(token)</h3>\n"
        let peakText = peakDay.flatMap(series.text) ?? "0"
        html += "<div class=\"note\">peak \(HTMLText.escape(peakText))\(unit == .raw ? " (raw units)" : "")</div>\n"
        html +=
            "<svg class=\"volume-chart\" role=\"img\" aria-label=\"daily volume of \(token)\" "
            + "width=\"\(HTMLText.pixels(layout.width))\" height=\"\(HTMLText.pixels(layout.height))\" "
            + "viewBox=\"0 0 \(HTMLText.pixels(layout.width)) \(HTMLText.pixels(layout.height))\">\n"
        html +=
            "<text class=\"axis-title\" x=\"\(HTMLText.pixels(layout.left))\" y=\"12\" font-size=\"11\">"
            + "\(HTMLText.escape(unit.axisTitle))</text>\n"
        for tick in ticks {
            let tickY = y(tick)
            if tick > 0 {
                html +=
                    "<line class=\"grid\" x1=\"\(HTMLText.pixels(layout.left))\" y1=\"\(HTMLText.pixels(tickY))\" "
                    + "x2=\"\(HTMLText.pixels(layout.width - layout.right))\" y2=\"\(HTMLText.pixels(tickY))\"/>\n"
            }
            html +=
                "<text class=\"tick\" x=\"\(HTMLText.pixels(layout.left - 6))\" y=\"\(HTMLText.pixels(tickY + 4))\" "
                + "font-size=\"11\" text-anchor=\"end\">\(HTMLText.escape(tickLabel(tick, unit: unit)))</text>\n"
        }
        html +=
            "<line class=\"axis\" x1=\"\(HTMLText.pixels(layout.left))\" y1=\"\(HTMLText.pixels(layout.top))\" "
            + "x2=\"\(HTMLText.pixels(layout.left))\" y2=\"\(HTMLText.pixels(baseline))\"/>\n"
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
            let value = series.text(day) ?? "no data"
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
        var html = "<div class=\"wide\"><table class=\"volumes\">\n<thead><tr><th>Day</th>"
        for token in series {
            let unit: String
            switch token.unit {
            case .usd: unit = " (USD)"
            case .tokens(let symbol): unit = " (\(symbol ?? "tokens"))"
            case .raw: unit = " (raw)"
            }
            html += "<th class=\"number\">\(HTMLText.escape(token.token))\(HTMLText.escape(unit))</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for day in days {
            html += "<tr><td>\(day)</td>"
            for token in series {
                html += "<td class=\"number\">\(HTMLText.escape(token.text(day) ?? "—"))</td>"
            }
            html += "</tr>\n"
        }
        return html + "</tbody>\n</table></div>\n"
    }
}

import ChainETLCore

extension RunReportHTML {
    /// Row accounting per stage: a total row per stage, then one row per partition when there are several.
    static func accountingSection(_ document: RunReportDocument) -> String {
        var html = "<section id=\"accounting\">\n<h2>Row accounting</h2>\n"
        let counted = document.units.filter { $0.rows != nil }
        guard !counted.isEmpty else {
            return html + "<p class=\"note\">No stage reported row counts in this run.</p>\n</section>\n"
        }
        html +=
            "<div class=\"wide\"><table class=\"accounting\">\n<thead><tr><th>Stage</th><th>Partition</th><th>Status</th>"
            + "<th class=\"number\">In</th><th class=\"number\">Out</th><th class=\"number\">Quarantined</th>"
            + "<th class=\"number\">Duplicates</th><th class=\"number\">Excluded</th><th>Balanced</th></tr></thead>\n"
            + "<tbody>\n"
        var stageOrder: [String] = []
        for unit in counted where !stageOrder.contains(unit.stage) { stageOrder.append(unit.stage) }
        for stage in stageOrder {
            let units = counted.filter { $0.stage == stage }.sorted { $0.partition < $1.partition }
            let total = units.compactMap(\.rows).reduce(RunReportDocument.RowAccounting(rowsIn: 0, rowsOut: 0), +)
            let partitionText = units.count == 1 ? units[0].partition.description : "\(units.count) partitions"
            let statusText = units.count == 1 ? units[0].status : statusSummary(units)
            let loads = units.allSatisfy { isLoad($0.kind) }
            html += accountingRow(
                stage: stage, partition: partitionText, status: statusText, rows: total, isTotal: true,
                duplicatesAreLoaded: loads)
            if units.count > 1 {
                for unit in units {
                    guard let rows = unit.rows else { continue }
                    html += accountingRow(
                        stage: "", partition: unit.partition.description, status: unit.status, rows: rows,
                        isTotal: false, duplicatesAreLoaded: loads)
                }
            }
        }
        html += "</tbody>\n</table></div>\n"
        html +=
            "<p class=\"note\">Balanced means in = out + quarantined + duplicates + excluded. A load's "
            + "duplicates are rows that were already in the database, shown as <em>already loaded</em>.</p>\n"
        return html + "</section>\n"
    }

    /// Retries, throttles and every other event, with a count per kind.
    static func eventsSection(_ document: RunReportDocument) -> String {
        var html = "<section id=\"events\">\n<h2>Retries, throttles and other events</h2>\n"
        guard !document.events.isEmpty else {
            return html + "<p class=\"note\">No retries, throttles or other events.</p>\n</section>\n"
        }
        let byKind = Dictionary(grouping: document.events, by: \.kind).mapValues(\.count)
        let kinds = byKind.keys.sorted()
        html +=
            "<p class=\"event-counts\">"
            + kinds.map { "<strong>\(HTMLText.escape($0))</strong> × \(byKind[$0, default: 0])" }.joined(
                separator: " · ")
            + "</p>\n"
        html +=
            "<div class=\"wide\"><table class=\"events\">\n<thead><tr><th>Time</th><th>Partition</th><th>Stage</th>"
            + "<th>Kind</th><th>Message</th><th>Details</th></tr></thead>\n<tbody>\n"
        for event in document.events.sorted(by: { $0.at < $1.at }) {
            // One line each: an HTML error body becomes its words, newlines become spaces, long text is cut
            // (the cell's title holds up to 1,000 characters of the plain text).
            let details = event.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                separator: " ")
            let message = HTMLText.plainLine(event.message)
            let detailText = HTMLText.plainLine(details)
            html +=
                "<tr class=\"event\"><td>\(UTCTimestamp.readable(event.at))</td><td>\(event.partition)</td>"
                + "<td>\(HTMLText.escape(event.stage))</td><td>\(HTMLText.escape(event.kind))</td>"
                + "<td title=\"\(HTMLText.escape(HTMLText.plainLine(event.message, limit: 1000)))\">"
                + "\(HTMLText.escape(message))</td>"
                + "<td title=\"\(HTMLText.escape(HTMLText.plainLine(details, limit: 1000)))\">"
                + "<code>\(HTMLText.escape(detailText))</code></td></tr>\n"
        }
        return html + "</tbody>\n</table></div>\n</section>\n"
    }

    /// Load stages count rows already in the database as their duplicates (`load`, `load/…`).
    static func isLoad(_ kind: String) -> Bool { kind == "load" || kind.hasPrefix("load/") }

    private static func accountingRow(
        stage: String, partition: String, status: String, rows: RunReportDocument.RowAccounting, isTotal: Bool,
        duplicatesAreLoaded: Bool
    ) -> String {
        let cells = [rows.rowsIn, rows.rowsOut, rows.quarantined].map { "<td class=\"number\">\(HTMLText.grouped($0))</td>" }
        let duplicates =
            duplicatesAreLoaded
            ? "<td class=\"number\" title=\"rows already in the database\">\(HTMLText.grouped(rows.duplicates)) "
                + "already loaded</td>"
            : "<td class=\"number\">\(HTMLText.grouped(rows.duplicates))</td>"
        let numbers = cells.joined() + duplicates + "<td class=\"number\">\(HTMLText.grouped(rows.excluded))</td>"
        let balance =
            rows.balances
            ? "<td class=\"ok\" title=\"balanced\">✓</td>" : "<td class=\"bad\" title=\"not balanced\">✗</td>"
        return
            "<tr\(isTotal ? " class=\"total\"" : "")><td>\(HTMLText.escape(stage))</td>"
            + "<td>\(HTMLText.escape(partition))</td><td>\(HTMLText.escape(status))</td>\(numbers)\(balance)</tr>\n"
    }

    private static func statusSummary(_ units: [RunReportDocument.Unit]) -> String {
        let counts = Dictionary(grouping: units, by: \.status).mapValues(\.count)
        return legendStatuses.compactMap { status in counts[status].map { "\($0) \(status)" } }.joined(separator: ", ")
    }
}

extension RunReportHTML {
    /// Sampled changed rows shown per page; the rest are in the run's diff files.
    static let changedRowsShown = 40
    /// Changed database figures shown per page.
    static let figuresShown = 20

    /// "What changed": per stage the rows a rerun added, removed and changed against the
    /// checkpoint it replaced and the database figures it moved; then, for a sample of changed
    /// rows, each changed column before and after; then the first changed figures.
    static func changesSection(_ document: RunReportDocument) -> String {
        var html = "<section id=\"changes\">\n<h2>What changed</h2>\n"
        let totals = StageDiffTotal.totals(document.units.map { ($0.stage, $0.diff) })
        guard !totals.isEmpty else {
            return html
                + "<p class=\"note\">Nothing to compare: no stage of this run replaced a checkpoint "
                + "(a first run, or every stage was skipped).</p>\n</section>\n"
        }
        html +=
            "<div class=\"wide\"><table class=\"changes\">\n<thead><tr><th>Stage</th><th class=\"number\">Units</th>"
            + "<th class=\"number\">Added</th><th class=\"number\">Removed</th><th class=\"number\">Changed</th>"
            + "<th class=\"number\">Unchanged</th><th class=\"number\">Database figures</th>"
            + "<th>Changed columns (sampled rows)</th></tr></thead>\n<tbody>\n"
        for total in totals {
            let columns = total.columns.map { "<code>\(HTMLText.escape($0))</code>" }.joined(separator: ", ")
            html +=
                "<tr class=\"stage-diff\(total.hasChanges ? " changed" : "")\"><td>\(HTMLText.escape(total.stage))</td>"
                + "<td class=\"number\">\(HTMLText.grouped(total.units))</td>"
                + "<td class=\"number\">\(HTMLText.grouped(total.added))</td>"
                + "<td class=\"number\">\(HTMLText.grouped(total.removed))</td>"
                + "<td class=\"number\">\(HTMLText.grouped(total.changed))</td>"
                + "<td class=\"number\">\(HTMLText.grouped(total.unchanged))</td>"
                + "<td class=\"number\">\(HTMLText.grouped(total.aggregates))</td>"
                + "<td>\(columns.isEmpty ? "—" : columns)</td></tr>\n"
        }
        html += "</tbody>\n</table></div>\n"

        let changedRows = document.units.flatMap { unit in
            (unit.diff?.changedRows ?? []).flatMap { row in row.columns.map { (unit, row.id, $0) } }
        }
        if !changedRows.isEmpty {
            html +=
                "<h3>Changed columns, before and after</h3>\n<div class=\"wide\"><table class=\"column-changes\">\n"
                + "<thead><tr><th>Stage</th><th>Partition</th><th>Row</th><th>Column</th><th>Before</th>"
                + "<th>After</th></tr></thead>\n<tbody>\n"
            for (unit, id, change) in changedRows.prefix(changedRowsShown) {
                html +=
                    "<tr class=\"column-change\"><td>\(HTMLText.escape(unit.stage))</td><td>\(unit.partition)</td>"
                    + "<td><code title=\"\(HTMLText.escape(id))\">\(HTMLText.escape(shortID(id)))</code></td>"
                    + "<td><code>\(HTMLText.escape(change.column))</code></td>"
                    + "<td class=\"before\"><code>\(HTMLText.escape(change.before ?? "absent"))</code></td>"
                    + "<td class=\"after\"><code>\(HTMLText.escape(change.after ?? "absent"))</code></td></tr>\n"
            }
            html += "</tbody>\n</table></div>\n"
        }

        let figures = document.units.flatMap { unit in (unit.diff?.aggregates ?? []).map { (unit, $0) } }
        if !figures.isEmpty {
            html +=
                "<h3>Database figures</h3>\n<div class=\"wide\"><table class=\"figure-changes\">\n"
                + "<thead><tr><th>Stage</th><th>Entity</th><th>Figure</th><th class=\"number\">Before</th>"
                + "<th class=\"number\">After</th><th class=\"number\">Delta</th></tr></thead>\n<tbody>\n"
            for (unit, change) in figures.prefix(figuresShown) {
                html +=
                    "<tr><td>\(HTMLText.escape(unit.stage))</td><td><code>\(HTMLText.escape(change.entity))</code></td>"
                    + "<td>\(HTMLText.escape(change.metric))</td>"
                    + "<td class=\"number\">\(HTMLText.escape(change.before ?? "absent"))</td>"
                    + "<td class=\"number\">\(HTMLText.escape(change.after ?? "absent"))</td>"
                    + "<td class=\"number\">\(HTMLText.escape(change.delta ?? "—"))</td></tr>\n"
            }
            html += "</tbody>\n</table></div>\n"
            if figures.count > figuresShown {
                html +=
                    "<p class=\"note\">\(HTMLText.grouped(figures.count - figuresShown)) more figures changed.</p>\n"
            }
        }
        html +=
            "<p class=\"note\">Rows are compared with the checkpoint each rerun replaced; changed rows are "
            + "sampled (the first few per stage and partition). Every id: <code>chainetl diff "
            + "\(HTMLText.escape(document.runID))</code>.</p>\n"
        return html + "</section>\n"
    }

    /// A long id shortened for a table cell (the full id is the cell's title).
    private static func shortID(_ id: String) -> String {
        id.count > 24 ? "\(id.prefix(12))…\(id.suffix(8))" : id
    }
}

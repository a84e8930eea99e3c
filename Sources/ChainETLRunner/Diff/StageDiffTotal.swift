/// A run's rerun diff for one stage, summed over its partitions: what the summary line, the HTML
/// report's "what changed" section and `chainetl diff` print.
public struct StageDiffTotal: Sendable, Equatable {
    public var stage: String
    /// Units of the stage that replaced a checkpoint or took a database snapshot.
    public var units: Int
    public var added = 0
    public var removed = 0
    public var changed = 0
    public var unchanged = 0
    /// Database figures that changed (`DiffSnapshotting` stages).
    public var aggregates = 0
    /// Distinct changed columns of the sampled rows, in order of appearance.
    public var columns: [String] = []
    /// The first sampled column change, for a one-line example.
    public var example: UnitDiff.ColumnChange?

    public var hasChanges: Bool { added + removed + changed + aggregates > 0 }

    /// One total per stage, in the order the stages first appear in `units`; only units whose diff
    /// compared a replaced checkpoint or took a snapshot count.
    public static func totals(_ units: [(stage: String, diff: UnitDiff?)]) -> [StageDiffTotal] {
        var order: [String] = []
        var byStage: [String: StageDiffTotal] = [:]
        for (stage, diff) in units {
            guard let diff, diff.previousCheckpointHash != nil || diff.aggregates != nil else { continue }
            if byStage[stage] == nil {
                order.append(stage)
                byStage[stage] = StageDiffTotal(stage: stage, units: 0)
            }
            byStage[stage]?.add(diff)
        }
        return order.compactMap { byStage[$0] }
    }

    private mutating func add(_ diff: UnitDiff) {
        units += 1
        added += diff.added
        removed += diff.removed
        changed += diff.changed
        unchanged += diff.unchanged
        aggregates += diff.aggregates?.count ?? 0
        for column in diff.changedColumns where !columns.contains(column) { columns.append(column) }
        if example == nil { example = diff.changedRows?.lazy.compactMap(\.columns.first).first }
    }

    /// `normalize +0 -0 ~120 token_symbol "USDC" → "USDX"`, `aggregate 14 figures`: values cut at
    /// `valueLimit` characters so the line stays one line.
    public func text(valueLimit: Int = 40) -> String {
        var parts = [stage]
        if added + removed + changed > 0 || aggregates == 0 { parts.append("+\(added) -\(removed) ~\(changed)") }
        if let example {
            var change =
                example.column + " " + Self.value(example.before, limit: valueLimit) + " → "
                + Self.value(example.after, limit: valueLimit)
            if columns.count > 1 {
                change += " (+\(columns.count - 1) more " + (columns.count == 2 ? "column" : "columns") + ")"
            }
            parts.append(change)
        }
        if aggregates > 0 { parts.append("\(aggregates) " + (aggregates == 1 ? "figure" : "figures")) }
        return parts.joined(separator: " ")
    }

    /// A column value for one line: `absent` for nil, control characters escaped, cut at `limit`.
    public static func value(_ value: String?, limit: Int) -> String {
        guard let value else { return "absent" }
        let flat = value.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : String($0) }.joined()
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }
}

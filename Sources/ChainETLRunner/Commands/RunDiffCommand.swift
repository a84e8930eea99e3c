import Foundation

/// `chainetl diff [RUN]`: prints what a run's reruns changed, from its JSON report
/// (`<workdir>/runs/<run-id>.json`): per unit the rows added, removed and changed against the
/// replaced checkpoint, the sampled changed columns before and after, and the database figures
/// that moved. Without RUN (or with `last`), the latest run whose report has a rerun diff.
public struct RunDiffCommand {
    public var workdir: URL
    public var runID: String?
    /// Database figures printed per unit.
    public var figureLimit = 20

    public init(workdir: URL, runID: String?) {
        self.workdir = workdir
        self.runID = runID
    }

    public struct Outcome {
        public var output: String
        public var errors: [String]
        public var exitCode: Int32
    }

    public func run() -> Outcome {
        let runs = workdir.appendingPathComponent("runs", isDirectory: true)
        do {
            let report: RunReport
            if let runID, runID != "last" {
                let file = runs.appendingPathComponent("\(runID).json")
                guard FileManager.default.fileExists(atPath: file.path) else {
                    return Outcome(
                        output: "",
                        errors: [
                            "no run report \(file.path); `chainetl diff --workdir \(workdir.path)` shows the last rerun"
                        ], exitCode: 2)
                }
                report = try Self.read(file)
            } else {
                guard let latest = try latestRerun(in: runs) else {
                    return Outcome(
                        output: "",
                        errors: [
                            "no run in \(runs.path) replaced a checkpoint: rerun a stage first, e.g. "
                                + "`chainetl run PIPELINE --partition YYYY-MM-DD --select normalize+`"
                        ], exitCode: 2)
                }
                report = latest
            }
            return Outcome(output: text(report), errors: [], exitCode: 0)
        } catch {
            return Outcome(output: "", errors: ["cannot read the run report: \(error)"], exitCode: 1)
        }
    }

    /// The newest report (run ids start with their UTC start time) with a rerun diff.
    private func latestRerun(in runs: URL) throws -> RunReport? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []
        for name in names.filter({ $0.hasSuffix(".json") }).sorted(by: >) {
            guard let report = try? Self.read(runs.appendingPathComponent(name)) else { continue }
            if report.units.contains(where: { $0.diff?.previousCheckpointHash != nil }) { return report }
        }
        return nil
    }

    static func read(_ file: URL) throws -> RunReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(RunReport.self, from: Data(contentsOf: file))
    }

    /// The printed form: a heading line, then one block per unit that has something to say.
    func text(_ report: RunReport) -> String {
        let days = report.partitions.sorted()
        let range =
            days.count == 1 ? "\(days[0])" : "\(days.first.map { "\($0)" } ?? "")…\(days.last.map { "\($0)" } ?? "")"
        var lines = [
            "run \(report.runID) (\(report.pipeline), \(range)): " + (RunSummary.diffText(report) ?? "no rerun diff")
        ]
        for unit in report.units {
            guard let diff = unit.diff,
                diff.previousCheckpointHash != nil || diff.aggregates != nil || diff.error != nil
            else { continue }
            var head = "\(unit.stage) \(unit.partition):"
            if diff.previousCheckpointHash != nil {
                head += " +\(diff.added) -\(diff.removed) ~\(diff.changed) rows, \(diff.unchanged) unchanged"
                if let key = diff.key { head += " (key \(key))" }
            }
            if let figures = diff.aggregates { head += ", \(figures.count) database figures changed" }
            lines.append(head)
            if let error = diff.error { lines.append("  diff error: \(error)") }
            for row in diff.changedRows ?? [] {
                for change in row.columns {
                    lines.append(
                        "  ~ \(row.id) \(change.column): " + StageDiffTotal.value(change.before, limit: 200) + " → "
                            + StageDiffTotal.value(change.after, limit: 200))
                }
            }
            for id in diff.examples.added { lines.append("  + \(id)") }
            for id in diff.examples.removed { lines.append("  - \(id)") }
            for change in (diff.aggregates ?? []).prefix(figureLimit) {
                lines.append(
                    "  \(change.entity) \(change.metric): \(change.before ?? "absent") → \(change.after ?? "absent")"
                        + (change.delta.map { " (\($0))" } ?? ""))
            }
            if let count = diff.aggregates?.count, count > figureLimit {
                lines.append("  … \(count - figureLimit) more figures")
            }
            if let file = diff.file {
                lines.append("  every id: zcat \(workdir.appendingPathComponent(file).path)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

import ChainETLCore
import Foundation

/// The closing lines of a run: what failed and how to resume, then the one-line summary.
enum RunSummary {
    /// `run <id>: 12 stages ok, 3 skipped, 0 failed, 7 partitions, 41.2s; report work/runs/<id>.json`.
    static func line(_ report: RunReport, reportPath: String?, elapsed: TimeInterval) -> String {
        var parts = [
            "\(report.count(.succeeded)) stages ok", "\(report.count(.skipped)) skipped",
            "\(report.count(.failed)) failed",
        ]
        if report.count(.blocked) > 0 { parts.append("\(report.count(.blocked)) blocked") }
        let lockedPartitions = Set(report.units.filter { $0.status == .locked }.map(\.partition)).count
        if lockedPartitions > 0 { parts.append("\(lockedPartitions) partitions locked") }
        parts.append(report.partitions.count == 1 ? "1 partition" : "\(report.partitions.count) partitions")
        parts.append(String(format: "%.1fs", elapsed))
        var line = "run \(report.runID): " + parts.joined(separator: ", ")
        if let reportPath { line += "; report \(reportPath)" }
        return line
    }

    /// One line per failure: the first failed stage of each partition, with its error.
    static func failureLines(_ report: RunReport) -> [String] {
        report.units.filter { $0.status == .failed }.map { unit in
            "stage \(unit.stage) failed for partition \(unit.partition): \(unit.error ?? "unknown error")"
        }
    }

    /// The exact command that reruns what failed (and what it blocked), or nil when nothing did.
    static func resumeCommand(_ report: RunReport, request: RunRequest, displayedPipelinePath: String) -> String? {
        let failedDays = Set(report.units.filter { $0.status == .failed || $0.status == .locked }.map(\.partition))
        guard let first = failedDays.min(), let last = failedDays.max() else { return nil }
        var words = ["chainetl", "run", displayedPipelinePath]
        words +=
            first == last
            ? ["--partition", first.description] : ["--from", first.description, "--to", last.description]
        let onlyLocked = report.count(.failed) == 0
        if !onlyLocked { words += ["--select", "failed"] }
        if request.allowOpen { words.append("--allow-open") }
        if request.workdir.path != URL(fileURLWithPath: "work").standardizedFileURL.path {
            words += ["--workdir", request.workdir.path]
        }
        return words.map(shellQuoted).joined(separator: " ")
    }

    private static func shellQuoted(_ word: String) -> String {
        let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=+@".contains($0) }
        return safe ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

import ChainETLCore
import ChainETLExplorers
import Foundation

/// The closing lines of a run: what failed and how to resume, then the one-line summary.
enum RunSummary {
    /// `run <id>: 12 stages ok, 3 skipped, 0 failed, 7 partitions, 41.2s, key-… 148 calls at 4.71/s of 5/s,
    /// calls 1.04× lower bound; report work/runs/<id>.json`.
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
        parts += (report.apiKeys ?? []).map(keyText)
        if let ratio = report.extractCalls?.ratioToLowerBound {
            parts.append(String(format: "calls %.2f× lower bound", ratio))
        }
        var line = "run \(report.runID): " + parts.joined(separator: ", ")
        if let reportPath { line += "; report \(reportPath)" }
        return line
    }

    /// `key-0123456789abcdef 148 calls at 4.71/s of 5/s` (the fingerprint, never the key).
    static func keyText(_ key: APIKeyUsage) -> String {
        var text = "\(key.fingerprint) \(key.calls) " + (key.calls == 1 ? "call" : "calls")
        if let achieved = key.achievedRatePerSecond {
            text += String(format: " at %.2f/s", achieved) + " of \(rateText(key.configuredRatePerSecond))/s"
        }
        if key.throttles > 0 { text += ", \(key.throttles) throttled" }
        return text
    }

    /// `5`, `2.5`: a configured rate without trailing zeros.
    static func rateText(_ rate: Double) -> String {
        rate == rate.rounded() && abs(rate) < 1e9 ? String(Int(rate)) : String(format: "%.3g", rate)
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

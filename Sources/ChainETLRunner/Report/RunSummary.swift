import ChainETLCore
import ChainETLExplorers
import Foundation

/// The closing lines of a run: what failed and how to resume, then the one-line summary.
enum RunSummary {
    /// `run <id>: 12 stages ok, 3 skipped, 0 failed, 7 partitions, 41.2s, key-… 148 calls at 4.71/s of 5/s,
    /// calls 1.04× lower bound, rerun diff +3 -1 ~2 rows in 2 stages; report work/runs/<id>.json`.
    ///
    /// A run stopped by a signal starts with `stopped by SIGTERM`; a report that could not be written
    /// is named as such (`reportProblem`), never as a path.
    static func line(
        _ report: RunReport, reportPath: String?, elapsed: TimeInterval, reportProblem: String? = nil
    ) -> String {
        var parts = [
            "\(report.count(.succeeded)) stages ok", "\(report.count(.skipped)) skipped",
            "\(report.count(.failed)) failed",
        ]
        if report.status == .interrupted {
            parts.insert("stopped by \(SignalTrap.name(of: report.exitCode - 128))", at: 0)
        }
        if report.count(.blocked) > 0 { parts.append("\(report.count(.blocked)) blocked") }
        if report.count(.interrupted) > 0 { parts.append("\(report.count(.interrupted)) interrupted") }
        let lockedPartitions = Set(report.units.filter { $0.status == .locked }.map(\.partition)).count
        if lockedPartitions > 0 { parts.append("\(lockedPartitions) partitions locked") }
        parts.append(report.partitions.count == 1 ? "1 partition" : "\(report.partitions.count) partitions")
        parts.append(String(format: "%.1fs", elapsed))
        parts += (report.apiKeys ?? []).map(keyText)
        if let ratio = report.extractCalls?.ratioToLowerBound {
            parts.append(String(format: "calls %.2f× lower bound", ratio))
        }
        if let diff = diffText(report) { parts.append(diff) }
        var line = "run \(report.runID): " + parts.joined(separator: ", ")
        if let reportPath { line += "; report \(reportPath)" }
        if let reportProblem { line += "; no report: \(reportProblem)" }
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

    /// `rerun diff +3 -1 ~2 rows in 2 stages`: the rows reruns added, removed and changed against the
    /// checkpoints they replaced; nil when no unit replaced a checkpoint.
    static func diffText(_ report: RunReport) -> String? {
        let diffs = report.units.compactMap(\.diff).filter { $0.previousCheckpointHash != nil }
        guard !diffs.isEmpty else { return nil }
        let added = diffs.reduce(0) { $0 + $1.added }
        let removed = diffs.reduce(0) { $0 + $1.removed }
        let changed = diffs.reduce(0) { $0 + $1.changed }
        let changedStages = diffs.filter(\.hasChanges).count
        return "rerun diff +\(added) -\(removed) ~\(changed) rows in \(changedStages) of \(diffs.count) "
            + (diffs.count == 1 ? "stage" : "stages")
    }

    /// The short reason a file was not written, for the summary line.
    static func shortReason(_ error: OperationsError) -> String {
        switch error {
        case .noSpace(let path): return "no space left on device writing \(path)"
        default: return error.description
        }
    }

    /// One line per failure: the first failed stage of each partition, with its error; then, for a
    /// run stopped by a signal, what it left undone.
    static func failureLines(_ report: RunReport, stopSignal: String? = nil) -> [String] {
        var lines = report.units.filter { $0.status == .failed }.map { unit in
            "stage \(unit.stage) failed for partition \(unit.partition): \(unit.error ?? "unknown error")"
        }
        if let stopSignal {
            let count = report.count(.interrupted)
            lines.append(
                "run stopped by \(stopSignal): \(count) " + (count == 1 ? "stage" : "stages")
                    + " interrupted or not started (recorded 'interrupted')")
        }
        return lines
    }

    /// The exact command that reruns what failed, was interrupted (and what it blocked), or nil
    /// when nothing did. It is one that works for each kind of failure:
    /// - a stage failed: `--select failed` (the ledger has it and the stages it blocked);
    /// - the ledger lost writes (the database went away): `--select failed+`, because the blocked
    ///   stages were never recorded; the next run marks the lost `running` rows `interrupted`;
    /// - a stage failed on a corrupt or missing upstream checkpoint: `--select <upstream>+` too,
    ///   since rerunning the stage alone would read the same bad checkpoint;
    /// - only locked partitions: the same command for those days, with the user's `--select`s and
    ///   `--force`.
    /// Every form repeats `--refetch`, `--allow-open`, `--jobs`, `--extract-jobs` and `--workdir` when
    /// they differ from the defaults.
    static func resumeCommand(
        _ report: RunReport, request: RunRequest, displayedPipelinePath: String, ledgerIncomplete: Bool = false
    ) -> String? {
        let failedDays = Set(
            report.units.filter { [.failed, .locked, .interrupted].contains($0.status) }.map(\.partition))
        guard let first = failedDays.min(), let last = failedDays.max() else { return nil }
        var words = ["chainetl", "run", displayedPipelinePath]
        words +=
            first == last
            ? ["--partition", first.description] : ["--from", first.description, "--to", last.description]
        let onlyLocked = report.count(.failed) == 0 && report.count(.interrupted) == 0
        if onlyLocked {
            // Nothing of these days ran: the same run again, with the user's own selection.
            for selection in request.selections { words += ["--select", selection] }
            if request.force { words.append("--force") }
        } else {
            let upstreams = Set(report.units.compactMap(\.resumeFrom)).sorted()
            for upstream in upstreams { words += ["--select", upstream + "+"] }
            words += ["--select", ledgerIncomplete ? "failed+" : "failed"]
        }
        if request.refetch { words.append("--refetch") }
        if request.allowOpen { words.append("--allow-open") }
        if request.jobs != RunRequest.defaultJobs {
            words += ["--jobs", String(request.jobs)]
        }
        if request.extractJobs != RunRequest.defaultExtractJobs {
            words += ["--extract-jobs", String(request.extractJobs)]
        }
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

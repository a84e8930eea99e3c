import ChainETLCore
import ChainETLStages
import Foundation
import Logging

/// The run's `StageProgressReporting`: a live line on a terminal, throttled log lines otherwise.
///
/// On a terminal it redraws at most 10 times a second, showing every running unit; otherwise each
/// unit logs `stage progress` at most every 10 seconds.
final class ProgressBoard: StageProgressReporting, @unchecked Sendable {
    private struct Entry {
        var snapshot: ProgressSnapshot
        var started: Date
        var lastLogged: Date
    }

    private let lock = NSLock()
    private var entries: [WorkUnit: Entry] = [:]
    private var lastDrawn = Date.distantPast
    private let output: TerminalOutput
    private let logger: Logger
    private let logInterval: TimeInterval

    init(output: TerminalOutput, logger: Logger, logInterval: TimeInterval = 10) {
        self.output = output
        self.logger = logger
        self.logInterval = logInterval
    }

    func report(stageID: String, partition: PartitionDay, _ snapshot: ProgressSnapshot) {
        let unit = WorkUnit(partition: partition, stageID: stageID)
        let now = Date()
        lock.lock()
        var entry = entries[unit] ?? Entry(snapshot: snapshot, started: now, lastLogged: now)
        entry.snapshot = snapshot
        let shouldLog = !output.drawsProgress && now.timeIntervalSince(entry.lastLogged) >= logInterval
        if shouldLog { entry.lastLogged = now }
        entries[unit] = entry
        let shouldDraw = output.drawsProgress && now.timeIntervalSince(lastDrawn) >= 0.1
        if shouldDraw { lastDrawn = now }
        let line = shouldDraw ? renderLine(now: now) : ""
        lock.unlock()

        if shouldDraw { output.setProgress(line) }
        if shouldLog {
            var metadata: Logger.Metadata = [
                "stage.id": "\(stageID)", "partition": "\(partition)",
                "progress.unit": "\(snapshot.unit)", "progress.completed": "\(snapshot.completed)",
            ]
            if let total = snapshot.total { metadata["progress.total"] = "\(total)" }
            if let eta = Self.eta(entry, now: now) { metadata["progress.eta.s"] = "\(Int(eta))" }
            for (key, value) in snapshot.notes { metadata[key] = "\(value)" }
            logger.info("stage progress", metadata: metadata)
        }
    }

    /// Forgets a finished unit and redraws without it.
    func finish(_ unit: WorkUnit) {
        lock.lock()
        entries[unit] = nil
        let line = output.drawsProgress ? renderLine(now: Date()) : ""
        lock.unlock()
        output.setProgress(line)
    }

    private func renderLine(now: Date) -> String {
        entries.sorted { ($0.key.partition, $0.key.stageID) < ($1.key.partition, $1.key.stageID) }.map { unit, entry in
            Self.render(unit: unit, entry: entry, now: now)
        }.joined(separator: "  ")
    }

    private static func render(unit: WorkUnit, entry: Entry, now: Date) -> String {
        let snapshot = entry.snapshot
        var text = "\(unit.stageID) \(unit.partition) "
        if let total = snapshot.total, total > 0 {
            let fraction = min(1, Double(snapshot.completed) / Double(total))
            let filled = Int((fraction * 10).rounded(.down))
            text += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 10 - filled) + "] "
            text += "\(Int(fraction * 100))% \(snapshot.completed)/\(total) \(snapshot.unit)"
            if let eta = eta(entry, now: now) { text += " eta \(Int(eta))s" }
        } else {
            text += "\(snapshot.completed) \(snapshot.unit)"
        }
        for key in snapshot.notes.keys.sorted() { text += " \(key)=\(snapshot.notes[key]!)" }
        return text
    }

    private static func eta(_ entry: Entry, now: Date) -> TimeInterval? {
        guard let total = entry.snapshot.total, entry.snapshot.completed > 0 else { return nil }
        let elapsed = now.timeIntervalSince(entry.started)
        let rate = Double(entry.snapshot.completed) / max(elapsed, 0.001)
        return Double(max(0, total - entry.snapshot.completed)) / rate
    }
}

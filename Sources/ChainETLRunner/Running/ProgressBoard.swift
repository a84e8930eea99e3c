import ChainETLCore
import ChainETLStages
import Foundation
import Logging

/// The run's `StageProgressReporting`: a live progress area on a terminal, throttled log lines
/// otherwise.
///
/// On a terminal the area holds one line for the finished units (`done: 12 units`) and one line per
/// running unit (`extract 2026-11-20 [####......] 42% 1,200/2,857 blocks eta 35s pages=9 rows=7,501`),
/// redrawn at most 10 times a second and cut to the terminal's width by `TerminalOutput`.
/// Otherwise each unit logs `stage progress` at most every 10 seconds.
final class ProgressBoard: StageProgressReporting, @unchecked Sendable {
    // `@unchecked`: all mutable state is guarded by `lock`.
    private struct Entry {
        var snapshot: ProgressSnapshot
        var lastLogged: Date
        var rate: ProgressRate
    }

    private let lock = NSLock()
    private var entries: [WorkUnit: Entry] = [:]
    private var finished = 0
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
        var entry =
            entries[unit] ?? Entry(snapshot: snapshot, lastLogged: now, rate: ProgressRate(start: now))
        if entry.snapshot.total != snapshot.total || entry.snapshot.unit != snapshot.unit {
            entry.rate = ProgressRate(start: now)
        }
        entry.rate.observe(completed: snapshot.completed, at: now)
        entry.snapshot = snapshot
        let shouldLog = !output.drawsProgress && now.timeIntervalSince(entry.lastLogged) >= logInterval
        if shouldLog { entry.lastLogged = now }
        entries[unit] = entry
        let shouldDraw = output.drawsProgress && now.timeIntervalSince(lastDrawn) >= 0.1
        if shouldDraw { lastDrawn = now }
        let lines = shouldDraw ? renderLines(now: now) : []
        lock.unlock()

        if shouldDraw { output.setProgress(lines: lines) }
        if shouldLog {
            var metadata: Logger.Metadata = [
                "stage.id": "\(stageID)", "partition": "\(partition)",
                "progress.unit": "\(snapshot.unit)", "progress.completed": "\(snapshot.completed)",
            ]
            if let total = snapshot.total { metadata["progress.total"] = "\(total)" }
            if let eta = entry.rate.secondsLeft(completed: snapshot.completed, total: snapshot.total, now: now) {
                metadata["progress.eta.s"] = "\(Int(eta.rounded()))"
            }
            for (key, value) in snapshot.notes { metadata[key] = "\(value)" }
            logger.info("stage progress", metadata: metadata)
        }
    }

    /// Forgets a finished unit, counts it on the `done` line and redraws.
    func finish(_ unit: WorkUnit) {
        lock.lock()
        entries[unit] = nil
        finished += 1
        let lines = output.drawsProgress ? renderLines(now: Date()) : []
        lock.unlock()
        output.setProgress(lines: lines)
    }

    private func renderLines(now: Date) -> [String] {
        let running = entries.sorted { ($0.key.partition, $0.key.stageID) < ($1.key.partition, $1.key.stageID) }
        var lines = ["done: \(finished) \(finished == 1 ? "unit" : "units"), running: \(running.count)"]
        lines += running.map { unit, entry in Self.render(unit: unit, entry: entry, now: now) }
        return lines
    }

    private static func render(unit: WorkUnit, entry: Entry, now: Date) -> String {
        let snapshot = entry.snapshot
        var text = "  \(unit.stageID) \(unit.partition) "
        if let total = snapshot.total, total > 0 {
            let fraction = min(1, Double(snapshot.completed) / Double(total))
            let filled = Int((fraction * 10).rounded(.down))
            text += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 10 - filled) + "] "
            text += "\(Int(fraction * 100))% \(HTMLText.grouped(snapshot.completed))/\(HTMLText.grouped(total)) "
            text += snapshot.unit
            if let eta = entry.rate.secondsLeft(completed: snapshot.completed, total: total, now: now) {
                text += " eta " + Self.duration(eta)
            }
        } else {
            text += "\(HTMLText.grouped(snapshot.completed)) \(snapshot.unit)"
        }
        for key in snapshot.notes.keys.sorted(by: Self.noteOrder) { text += " \(key)=\(snapshot.notes[key]!)" }
        return text
    }

    /// The figures a person looks for first come first, since a narrow terminal cuts the line's end.
    private static let leadingNotes = ["pages", "rows", "calls", "quota.left", "chain"]

    private static func noteOrder(_ left: String, _ right: String) -> Bool {
        let leftRank = leadingNotes.firstIndex(of: left) ?? leadingNotes.count
        let rightRank = leadingNotes.firstIndex(of: right) ?? leadingNotes.count
        return leftRank != rightRank ? leftRank < rightRank : left < right
    }

    /// `42s`, `3m05s`, `1h02m`.
    static func duration(_ seconds: TimeInterval) -> String {
        let whole = max(0, Int(seconds.rounded()))
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m" + String(format: "%02ds", whole % 60) }
        return "\(whole / 3600)h" + String(format: "%02dm", (whole % 3600) / 60)
    }
}

/// The pace of one unit's progress, smoothed, for an ETA that does not jump with every report.
///
/// The rate is an exponentially weighted average of completed units per second over the reports
/// (time constant 10 s), so a burst of pages does not make the ETA collapse to `0s`. No ETA is
/// given before 1 s of progress or 1 % of the total, nor once the total is reached.
struct ProgressRate {
    private var lastTime: Date
    private var lastCompleted: Int?
    private var perSecond: Double?
    private let start: Date

    init(start: Date) {
        self.start = start
        self.lastTime = start
    }

    mutating func observe(completed: Int, at now: Date) {
        defer {
            lastCompleted = completed
            lastTime = now
        }
        guard let previous = lastCompleted else { return }
        let elapsed = now.timeIntervalSince(lastTime)
        guard elapsed > 0, completed >= previous else { return }
        let sample = Double(completed - previous) / elapsed
        let weight = 1 - exp(-elapsed / 10)
        perSecond = perSecond.map { $0 + weight * (sample - $0) } ?? sample
    }

    func secondsLeft(completed: Int, total: Int?, now: Date) -> TimeInterval? {
        guard let total, total > completed, let perSecond, perSecond > 0 else { return nil }
        guard now.timeIntervalSince(start) >= 1, Double(completed) >= Double(total) * 0.01 else { return nil }
        return Double(total - completed) / perSecond
    }
}

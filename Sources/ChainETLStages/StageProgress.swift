import ChainETLCore

/// A point-in-time view of a long stage's progress (pages, rows, calls, quota, …).
public struct ProgressSnapshot: Sendable, Hashable {
    /// What is being counted, e.g. `rows`, `pages`, `calls`.
    public var unit: String
    public var completed: Int
    /// The expected total when known (enables a percentage and an ETA).
    public var total: Int?
    /// Extra figures shown beside the bar, e.g. `quota.left`.
    public var notes: [String: String]

    public init(unit: String, completed: Int, total: Int? = nil, notes: [String: String] = [:]) {
        self.unit = unit
        self.completed = completed
        self.total = total
        self.notes = notes
    }
}

/// Receives progress from every running stage; the runner draws bars on a TTY and logs otherwise.
public protocol StageProgressReporting: Sendable {
    func report(stageID: String, partition: PartitionDay, _ snapshot: ProgressSnapshot)
}

/// The progress handle a stage sees. Cheap to call per row: it forwards at most one update per
/// 4,096 calls to `advance`, so stages need no throttling of their own.
public final class StageProgress {
    public let stageID: String
    public let partition: PartitionDay
    private let reporter: any StageProgressReporting
    private var snapshot: ProgressSnapshot
    private var sinceReport = 0

    public init(stageID: String, partition: PartitionDay, reporter: any StageProgressReporting) {
        self.stageID = stageID
        self.partition = partition
        self.reporter = reporter
        self.snapshot = ProgressSnapshot(unit: "rows", completed: 0)
    }

    /// Replaces the whole snapshot and reports it.
    public func update(_ snapshot: ProgressSnapshot) {
        self.snapshot = snapshot
        sinceReport = 0
        reporter.report(stageID: stageID, partition: partition, snapshot)
    }

    /// Sets the expected total (and the unit counted).
    public func expect(total: Int?, unit: String = "rows") {
        update(ProgressSnapshot(unit: unit, completed: snapshot.completed, total: total, notes: snapshot.notes))
    }

    /// Adds `count` to the completed figure.
    public func advance(by count: Int = 1) {
        snapshot.completed += count
        sinceReport += count
        if sinceReport >= 4_096 { update(snapshot) }
    }

    /// Reports the current figures even if fewer than 4,096 were added since the last report.
    public func flush() {
        update(snapshot)
    }

    /// The figures as the stage last set them.
    public var current: ProgressSnapshot { snapshot }
}

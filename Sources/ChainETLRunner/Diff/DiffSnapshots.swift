import ChainETLStages

/// Takes a `DiffSnapshotting` stage's database snapshot before its run and after its commit, and
/// folds the changed figures into the unit's diff. Other stages pass through untouched.
///
/// A snapshot that fails is reported in the diff's `error`; it never fails the stage.
final class DiffSnapshots {
    private let stage: (any DiffSnapshotting)?
    private var previous: [String: String]?
    private var failure: String?

    init(stage: any Stage) {
        self.stage = stage as? any DiffSnapshotting
    }

    /// Takes the "before" snapshot (call just before `run`).
    func before(_ context: StageContext) {
        guard let stage else { return }
        do {
            previous = try stage.diffSnapshot(context)
        } catch {
            failure = "snapshot before the run failed: \(error)"
        }
    }

    /// Takes the "after" snapshot and returns `rows` with the changed figures added.
    func after(_ context: StageContext, rows: UnitDiff?, exampleLimit: Int) -> UnitDiff? {
        guard let stage else { return rows }
        var diff = rows ?? UnitDiff(examplesLimit: exampleLimit)
        if let failure {
            diff.error = [diff.error, failure].compactMap { $0 }.joined(separator: "; ")
            return diff
        }
        do {
            let current = try stage.diffSnapshot(context)
            diff.aggregates = DiffSnapshotChange.changes(before: previous ?? [:], after: current)
        } catch {
            diff.error = [diff.error, "snapshot after the run failed: \(error)"].compactMap { $0 }.joined(
                separator: "; ")
        }
        return diff
    }
}

/// A stage whose effect lives in the database and can say what it changed: the runner takes a
/// snapshot just before `run` and another after the commit, and reports the differences
/// (`DiffSnapshotChange.changes(before:after:)`) in the unit's rerun diff.
///
/// A snapshot maps `<entity>/<metric>` (e.g. `1/0xa0b8…/2026-11-20/transfer_count`) to an integer
/// as decimal text. It must stay small (one entry per aggregate row of the partition).
public protocol DiffSnapshotting: Stage {
    /// The stage's current figures for `context.partition`, read from the database.
    func diffSnapshot(_ context: StageContext) throws -> [String: String]
}

import ChainETLCore
import ChainETLStages

/// Failures of the `test/*` stage kinds (used by the runner's own tests and sample pipelines).
enum TestStageError: Error, CustomStringConvertible {
    /// `test/fail` always fails.
    case alwaysFails(stage: String)
    /// `test/emit` was told to fail after `fail_after` rows.
    case failedAfter(rows: Int)
    /// `test/copy` needs exactly one input.
    case copyNeedsOneInput(stage: String, count: Int)

    var description: String {
        switch self {
        case .alwaysFails(let stage):
            return "test/fail stage \(stage) fails on purpose; remove it from the pipeline or select other stages"
        case .failedAfter(let rows):
            return "test/emit failed on purpose after \(rows) rows (fail_after); remove fail_after to let it finish"
        case .copyNeedsOneInput(let stage, let count):
            return "test/copy stage \(stage) needs exactly one stage in needs:, has \(count)"
        }
    }
}

import Foundation

/// What `PipelineRunner.run()` did, for the command line to turn into an exit code.
public struct RunResult: Sendable {
    public var status: RunStatus
    /// The report, when the run got far enough to have one (not for config errors).
    public var report: RunReport?
    /// Where the report was written.
    public var reportURL: URL?
    /// The summary line printed last.
    public var summary: String

    public var exitCode: Int32 { status.exitCode }
}

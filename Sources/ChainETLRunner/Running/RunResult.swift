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

    /// The process exit code: the status's, or 130/143 for a run stopped by SIGINT/SIGTERM.
    public var exitCode: Int32

    init(status: RunStatus, report: RunReport?, reportURL: URL?, summary: String, exitCode: Int32? = nil) {
        self.status = status
        self.report = report
        self.reportURL = reportURL
        self.summary = summary
        self.exitCode = exitCode ?? status.exitCode
    }
}

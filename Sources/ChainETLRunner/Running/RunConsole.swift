import ChainETLCore
import Foundation

/// What a command prints outside the log stream: plans on stdout, and on stderr the
/// diagnostics, the failure lines with the resume command, and the summary that is always last.
public final class RunConsole: Sendable {
    public let output: TerminalOutput
    public let format: LogFormat
    private let standardOutput: @Sendable (String) -> Void

    public init(
        output: TerminalOutput, format: LogFormat, standardOutput: @escaping @Sendable (String) -> Void = { print($0) }
    ) {
        self.output = output
        self.format = format
        self.standardOutput = standardOutput
    }

    /// One line of a plan (`--dry-run`) on stdout.
    public func printPlan(_ line: String) {
        standardOutput(line)
    }

    /// A located config problem.
    public func diagnostic(_ diagnostic: ConfigDiagnostic) {
        switch format {
        case .text:
            output.writeLine(diagnostic.description)
        case .json:
            var object: [String: Any] = [
                "ts": UTCTimestamp.iso8601(Date(), precision: .milliseconds), "level": "error", "msg": "config error",
                "location": diagnostic.location.description, "error": diagnostic.message,
            ]
            if let hint = diagnostic.hint { object["hint"] = hint }
            output.writeLine(JSONLine.encode(object, leadingKeys: ["ts", "level", "msg"]))
        }
    }

    /// An error that stops a command before it does anything.
    public func error(_ message: String) {
        switch format {
        case .text:
            output.writeLine("error: \(message)")
        case .json:
            output.writeLine(
                JSONLine.encode(
                    ["ts": UTCTimestamp.iso8601(Date(), precision: .milliseconds), "level": "error", "msg": "run not started", "error": message],
                    leadingKeys: ["ts", "level", "msg"]))
        }
    }

    /// The closing lines: each failure (the last one with the resume command), then the summary.
    public func closing(
        summary: String, failures: [String], resume: String?, runID: String, status: RunStatus, exitCode: Int32? = nil
    ) {
        output.clearProgress()
        for (index, failure) in failures.enumerated() {
            let isLast = index == failures.count - 1
            switch format {
            case .text:
                output.writeLine("error: " + failure + (isLast && resume != nil ? "; to resume: \(resume!)" : ""))
            case .json:
                var object: [String: Any] = [
                    "ts": UTCTimestamp.iso8601(Date(), precision: .milliseconds), "level": "error", "msg": "run failed", "run.id": runID,
                    "error": failure,
                ]
                if isLast, let resume { object["resume"] = resume }
                output.writeLine(JSONLine.encode(object, leadingKeys: ["ts", "level", "msg"]))
            }
        }
        switch format {
        case .text:
            output.writeLine(summary)
        case .json:
            output.writeLine(
                JSONLine.encode(
                    [
                        "ts": UTCTimestamp.iso8601(Date(), precision: .milliseconds), "level": "notice", "msg": "run summary", "run.id": runID,
                        "status": status.rawValue, "exit_code": "\(exitCode ?? status.exitCode)", "summary": summary,
                    ], leadingKeys: ["ts", "level", "msg"]))
        }
    }
}

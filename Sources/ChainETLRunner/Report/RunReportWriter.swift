import Foundation

/// Writes run reports atomically: a temporary file in the same folder, then a rename.
struct RunReportWriter {
    let directory: URL

    /// `<workdir>/runs`.
    init(workdir: URL) {
        directory = workdir.appendingPathComponent("runs", isDirectory: true)
    }

    func url(for runID: String) -> URL {
        directory.appendingPathComponent("\(runID).json")
    }

    /// Writes `report` and returns where.
    @discardableResult
    func write(_ report: RunReport) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(report)
        let target = url(for: report.runID)
        let temporary = directory.appendingPathComponent(
            ".\(report.runID).json.tmp-\(ProcessInfo.processInfo.processIdentifier)")
        try data.write(to: temporary)
        if rename(temporary.path, target.path) != 0 {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw RunnerError.reportNotWritten(path: target.path, reason: String(cString: strerror(code)))
        }
        return target
    }
}

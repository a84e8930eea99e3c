import ChainETLCore
import Foundation

/// Writes run reports atomically through `AtomicFile`: a temporary file in the same folder, then a
/// rename; a failure (a full disk) leaves nothing behind.
struct RunReportWriter {
    let directory: URL
    /// Injected by tests to fail the write (`AtomicFile.WriteFunction`).
    var writeBytes: AtomicFile.WriteFunction?

    /// `<workdir>/runs`.
    init(workdir: URL, writeBytes: AtomicFile.WriteFunction? = nil) {
        directory = workdir.appendingPathComponent("runs", isDirectory: true)
        self.writeBytes = writeBytes
    }

    func url(for runID: String) -> URL {
        directory.appendingPathComponent("\(runID).json")
    }

    /// Writes `report` and returns where; throws `OperationsError` (`.noSpace` for a full disk).
    @discardableResult
    func write(_ report: RunReport) throws -> URL {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(report)
        let target = url(for: report.runID)
        do {
            try AtomicFile.write(data, to: target, using: writeBytes ?? { AtomicFile.systemWrite($0, $1, $2) })
        } catch {
            throw OperationsError(error)
        }
        return target
    }
}

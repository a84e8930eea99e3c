import ChainETLCore
import Foundation

/// Writes the HTML run report next to the JSON one: `<workdir>/runs/<run-id>.html`.
public enum RunReportPage {
    /// Where the page for `runID` goes.
    public static func url(workdir: URL, runID: String) -> URL {
        workdir.appendingPathComponent("runs", isDirectory: true).appendingPathComponent("\(runID).html")
    }

    /// Renders `document` and writes it atomically (temporary file, then rename); returns where.
    @discardableResult
    public static func write(_ document: RunReportDocument, workdir: URL) throws -> URL {
        let target = url(workdir: workdir, runID: document.runID)
        do {
            try AtomicFile.write(Data(RunReportHTML.render(document).utf8), to: target)
        } catch {
            throw OperationsError(error)
        }
        return target
    }
}

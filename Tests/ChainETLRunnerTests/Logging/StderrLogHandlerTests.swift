import Foundation
import Logging
import Testing

@testable import ChainETLRunner

@Suite("StderrLogHandler")
struct StderrLogHandlerTests {
    let date = Date(timeIntervalSince1970: 1_795_230_000.123)

    @Test func jsonLinesAreFlatWithDottedKeys() throws {
        let line = StderrLogHandler.render(
            format: .json, date: date, level: .info, message: "stage finished",
            metadata: ["stage.id": "normalize", "rows.out": "12", "note": "say \"hi\"\n"])
        #expect(!line.contains("\n"))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["msg"] == "stage finished")
        #expect(object["level"] == "info")
        #expect(object["stage.id"] == "normalize")
        #expect(object["note"] == "say \"hi\"\n")
        #expect(object["ts"] == "2026-11-21T03:00:00.123Z")
        #expect(line.hasPrefix("{\"ts\":"))
    }

    @Test func textLinesAreReadable() {
        let line = StderrLogHandler.render(
            format: .text, date: date, level: .warning, message: "stage skipped",
            metadata: ["reason": "checkpoint matches", "stage.id": "emit"])
        #expect(line == "03:00:00 warning stage skipped reason=\"checkpoint matches\" stage.id=emit")
    }

    @Test func theFormatFollowsTheTerminalUnlessChosen() {
        #expect(LogFormat.resolve(nil, stderrIsTerminal: true) == .text)
        #expect(LogFormat.resolve(nil, stderrIsTerminal: false) == .json)
        #expect(LogFormat.resolve(.json, stderrIsTerminal: true) == .json)
    }
}

import ChainETLCore
import Foundation
import Testing

@testable import ChainETLStages

@Suite("file rows")
struct FileRowExtractorTests {
    static let day = PartitionDay("2026-11-20")!

    /// Runs the extractor and returns the emitted lines and rejections.
    static func extract(
        _ name: String, _ content: String, format: FileRowFormat, timeField: String? = nil
    ) throws -> (lines: [String], rejections: [FileRowRejection], counts: FileRowExtractor.Counts) {
        let file = try TemporaryFile(name, content)
        var lines: [String] = []
        var rejections: [FileRowRejection] = []
        let extractor = FileRowExtractor(
            path: file.path, displayPath: "data/\(name)", format: format,
            timeField: timeField.flatMap(JSONFieldPath.init))
        let counts = try extractor.extract(
            day: day, emit: { lines.append(String(decoding: $0, as: UTF8.self)) }, reject: { rejections.append($0) })
        return (lines, rejections, counts)
    }

    @Test func ndjsonRowsAreEmbeddedVerbatimAndBadLinesQuarantinedWithFileAndLine() throws {
        let content = """
            {"id":"a1", "n": 1.50}

            not json
              {"id":"a2","nested":{"x":[1,2]}}\r
            [1,2]
            {"id":"a3"
            """
        let result = try Self.extract("events.ndjson", content, format: .ndjson)
        #expect(
            result.lines == [
                #"{"file":"data/events.ndjson","line":1,"row":{"id":"a1", "n": 1.50}}"#,
                #"{"file":"data/events.ndjson","line":4,"row":{"id":"a2","nested":{"x":[1,2]}}}"#,
            ])
        #expect(result.rejections.map(\.line) == [3, 5, 6])
        #expect(result.rejections.allSatisfy { $0.file == "data/events.ndjson" })
        #expect(result.rejections[1].reason.contains("not an object"))
        #expect(result.rejections[0].text == "not json")
        #expect(result.counts == FileRowExtractor.Counts(rowsIn: 5, rowsOut: 2, quarantined: 3, excluded: 0))
        let quarantineLine = String(decoding: result.rejections[0].jsonLine().bytes, as: UTF8.self)
        #expect(
            quarantineLine.hasPrefix(#"{"file":"data/events.ndjson","line":3,"reason":"the line is not valid json"#))
    }

    /// Like explorer quarantine, a file row is kept whole, however long (it was cut at 200 characters).
    @Test func aLongBadLineIsQuarantinedWhole() throws {
        let long = #"{"id":"a1","payload":""# + String(repeating: "x", count: 5_000) + "é"
        let result = try Self.extract("events.ndjson", long + "\n", format: .ndjson)
        #expect(result.rejections.count == 1)
        #expect(result.rejections.first?.text == long)
        let quarantineLine = try #require(result.rejections.first).jsonLine()
        let decoded = try JSONSerialization.jsonObject(with: Data(quarantineLine.bytes)) as? [String: Any]
        #expect(decoded?["text"] as? String == long)
    }

    @Test func csvRowsBecomeObjectsOfStringsWithRFC4180Quoting() throws {
        let content =
            "id,note,amount\r\n"
            + "1,\"comma, inside\",\"12.5\"\r\n"
            + "2,\"say \"\"hi\"\"\",3\n"
            + "3,\"two\nlines\",4\n"
            + "4,too,many,fields\n"
            + "5,bad\"quote,1\n"
            + "6,,\n"
        let result = try Self.extract("events.csv", content, format: .csv)
        #expect(
            result.lines == [
                #"{"file":"data/events.csv","line":2,"row":{"id":"1","note":"comma, inside","amount":"12.5"}}"#,
                #"{"file":"data/events.csv","line":3,"row":{"id":"2","note":"say \"hi\"","amount":"3"}}"#,
                #"{"file":"data/events.csv","line":4,"row":{"id":"3","note":"two\nlines","amount":"4"}}"#,
                #"{"file":"data/events.csv","line":8,"row":{"id":"6","note":"","amount":""}}"#,
            ])
        #expect(result.rejections.map(\.line) == [6, 7])
        #expect(result.rejections[0].reason == "the record has 4 fields but the header has 3")
        #expect(result.rejections[1].reason.contains("quote inside an unquoted field"))
    }

    @Test func csvHeaderProblemsStopTheFile() throws {
        #expect(throws: FileSourceError.invalidHeader(path: "data/h.csv", line: 1, reason: "column 'id' appears twice"))
        {
            _ = try Self.extract("h.csv", "id,id\n1,2\n", format: .csv)
        }
        #expect(throws: FileSourceError.missingHeader(path: "data/e.csv")) {
            _ = try Self.extract("e.csv", "\n\n", format: .csv)
        }
    }

    @Test func timeFieldKeepsThePartitionDayOnly() throws {
        let content = """
            {"id":1,"meta":{"at":"2026-11-20T00:00:00Z"}}
            {"id":2,"meta":{"at":"2026-11-19T23:59:59.999999Z"}}
            {"id":3,"meta":{"at":"2026-11-21T01:00:00+02:00"}}
            {"id":4,"meta":{"at":"2026-11-20T10:00:00"}}
            {"id":5,"meta":{}}
            {"id":6,"meta":{"at":1795132800}}
            """
        let result = try Self.extract("t.ndjson", content, format: .ndjson, timeField: "meta.at")
        #expect(result.lines.count == 3)
        #expect(
            result.lines.map { $0.contains(#""id":1"#) || $0.contains(#""id":3"#) || $0.contains(#""id":6"#) } == [
                true, true, true,
            ])
        #expect(result.counts.excluded == 1)
        #expect(result.rejections.map(\.line) == [4, 5])
        #expect(result.rejections[0].reason.contains("has no time zone"))
        #expect(result.rejections[1].reason == "time field 'meta.at' is missing")
    }

    @Test func formatComesFromTheExtensionUnlessGiven() throws {
        #expect(try FileRowFormat.resolve("auto", path: "data/x.NDJSON") == .ndjson)
        #expect(try FileRowFormat.resolve(nil, path: "x.csv") == .csv)
        #expect(try FileRowFormat.resolve("csv", path: "x.txt") == .csv)
        #expect(throws: FileSourceError.unknownFormat(path: "x.txt")) { try FileRowFormat.resolve(nil, path: "x.txt") }
    }
}

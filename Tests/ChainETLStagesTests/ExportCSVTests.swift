import Foundation
import Testing

@testable import ChainETLStages

@Suite("Export CSV writing and reading")
struct ExportCSVTests {
    private func row(_ fields: [String?]) -> String {
        var builder = CSVRowBuilder()
        for field in fields {
            if let field { builder.field(field) } else { builder.null() }
        }
        builder.endRow()
        return String(decoding: builder.bytes, as: UTF8.self)
    }

    @Test("plain fields are written bare, rows end with CRLF")
    func plainFields() {
        #expect(row(["1", "0xabc", "2026-11-20"]) == "1,0xabc,2026-11-20\r\n")
    }

    @Test("fields with a comma, quote, CR or LF are quoted and inner quotes doubled")
    func quoting() {
        #expect(row(["a,b"]) == "\"a,b\"\r\n")
        #expect(row(["say \"hi\""]) == "\"say \"\"hi\"\"\"\r\n")
        #expect(
            row(["line\nbreak", "cr\rhere", "crlf\r\nboth"]) == "\"line\nbreak\",\"cr\rhere\",\"crlf\r\nboth\"\r\n")
        #expect(row(["\""]) == "\"\"\"\"\r\n")
    }

    @Test("NULL is an empty unquoted field, the empty string is \"\"")
    func nullAndEmpty() {
        #expect(row([nil, "", "x", nil]) == ",\"\",x,\r\n")
    }

    @Test("unicode and leading spaces pass through unquoted")
    func unicode() {
        #expect(row(["Ünïcødé 🚀", " padded "]) == "Ünïcødé 🚀, padded \r\n")
    }

    @Test("a 78-digit amount stays a digit string")
    func bigAmount() {
        let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        #expect(row([max]) == max + "\r\n")
    }

    @Test("the reader gives back exactly what the builder wrote, NULL and empty kept apart")
    func roundTrip() throws {
        let rows: [[String?]] = [
            ["chain_id", "name", "note"],
            ["1", "Tether \"USD\", v2", nil],
            ["10", "", "multi\nline\r\nvalue"],
            ["137", "🚀,\"", "trailing"],
            [nil, nil, nil],
        ]
        var builder = CSVRowBuilder()
        for fields in rows {
            for field in fields {
                if let field { builder.field(field) } else { builder.null() }
            }
            builder.endRow()
        }
        let path = try temporaryFile(builder.bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A tiny buffer forces every state across a refill boundary.
        let reader = try CSVReader(path: path, bufferSize: 3)
        var read: [[String?]] = []
        while let fields = try reader.nextRow() { read.append(fields) }
        #expect(read == rows)
    }

    @Test("the reader accepts LF row ends and reports the line of a broken row")
    func readerErrors() throws {
        let good = try temporaryFile(Array("a,b\n1,2\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: good) }
        let reader = try CSVReader(path: good)
        #expect(try reader.nextRow() == ["a", "b"])
        #expect(try reader.nextRow() == ["1", "2"])
        #expect(try reader.nextRow() == nil)

        for (text, line, reason) in [
            ("a,b\r\n1,\"open\r\n", 2, "not closed"),
            ("a\r\nx\"y\r\n", 2, "quote inside an unquoted field"),
            ("a\r\n\"x\"y\r\n", 2, "text follows a closing quote"),
        ] {
            let path = try temporaryFile(Array(text.utf8))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let broken = try CSVReader(path: path)
            let error = #expect(throws: ImportError.self) {
                while try broken.nextRow() != nil {}
            }
            guard case .malformedCSV(_, let reportedLine, let message) = error else {
                Issue.record("unexpected error \(String(describing: error))")
                continue
            }
            #expect(reportedLine == line)
            #expect(message.contains(reason))
        }
    }

    @Test("invalid UTF-8 is refused")
    func invalidUTF8() throws {
        let path = try temporaryFile([0x61, 0x0D, 0x0A, 0xFF, 0xFE, 0x0D, 0x0A])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try CSVReader(path: path)
        #expect(try reader.nextRow() == ["a"])
        #expect(throws: ImportError.self) { try reader.nextRow() }
    }

    private func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("chainetl-csv-\(UUID().uuidString).csv").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

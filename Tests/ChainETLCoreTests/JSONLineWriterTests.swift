import Foundation
import Testing

@testable import ChainETLCore

@Suite("JSONLineWriter")
struct JSONLineWriterTests {
    private func text(_ writer: JSONLineWriter) -> String {
        String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test func separatesMembersAndElementsAtEveryLevel() {
        var writer = JSONLineWriter()
        writer.beginObject()
        writer.key("a")
        writer.beginArray()
        writer.int(1)
        writer.int(2)
        writer.beginObject()
        writer.key("b")
        writer.null()
        writer.endObject()
        writer.beginArray()
        writer.endArray()
        writer.endArray()
        writer.key("c")
        writer.beginObject()
        writer.key("d")
        writer.bool(true)
        writer.key("e")
        writer.bool(false)
        writer.endObject()
        writer.key("f")
        writer.string("x")
        writer.key("g")
        writer.beginObject()
        writer.endObject()
        writer.endObject()
        writer.newline()
        #expect(text(writer) == #"{"a":[1,2,{"b":null},[]],"c":{"d":true,"e":false},"f":"x","g":{}}"# + "\n")
    }

    @Test func escapesQuotesBackslashesAndControlCharacters() {
        var writer = JSONLineWriter()
        writer.beginArray()
        writer.string("say \"hi\" \\ there")
        writer.string("line\nreturn\rtab\t")
        writer.string("\u{00}\u{01}\u{08}\u{0C}\u{1F}\u{7F}")
        writer.endArray()
        #expect(
            text(writer) == #"["say \"hi\" \\ there","line\nreturn\rtab\t","\u0000\u0001\u0008\u000c\u001f"#
                + "\u{7F}\"]")
    }

    @Test func copiesUnicodeAsUTF8() {
        var writer = JSONLineWriter()
        writer.beginObject()
        writer.key("名前")
        writer.string("é€😀")
        writer.endObject()
        #expect(text(writer) == #"{"名前":"é€😀"}"#)
    }

    @Test func escapesRunTimeKeys() {
        var writer = JSONLineWriter()
        writer.beginObject()
        writer.key("we\"ird")
        writer.int(1)
        writer.key("plain")
        writer.int(2)
        writer.endObject()
        #expect(text(writer) == #"{"we\"ird":1,"plain":2}"#)
    }

    @Test func writesIntegersExactly() {
        var writer = JSONLineWriter()
        writer.beginArray()
        for value in [0, 7, -7, 10, 1_000_000, Int.max, Int.min] { writer.int(value) }
        writer.endArray()
        #expect(text(writer) == "[0,7,-7,10,1000000,9223372036854775807,-9223372036854775808]")
    }

    @Test func writesRawAndPlainBytesVerbatim() {
        var writer = JSONLineWriter()
        writer.beginObject()
        writer.key("row")
        Array(#"{"blockNumber":"0x10", "x":[1]}"#.utf8).withUnsafeBytes { writer.raw($0) }
        writer.key("hash")
        Array("0xabc".utf8).withUnsafeBytes { writer.plainString($0) }
        writer.key("text")
        Array("a\"b".utf8).withUnsafeBytes { writer.string(utf8: $0) }
        writer.endObject()
        #expect(text(writer) == #"{"row":{"blockNumber":"0x10", "x":[1]},"hash":"0xabc","text":"a\"b"}"#)
    }

    @Test func resetStartsACleanLine() {
        var writer = JSONLineWriter()
        writer.beginObject()
        writer.key("a")
        writer.reset()
        #expect(writer.bytes.isEmpty)
        writer.beginObject()
        writer.key("b")
        writer.int(1)
        writer.key("c")
        writer.int(2)
        writer.endObject()
        #expect(text(writer) == #"{"b":1,"c":2}"#)
    }

    @Test func topLevelValuesAreNotSeparated() {
        var writer = JSONLineWriter()
        writer.beginObject()
        writer.endObject()
        writer.newline()
        writer.beginObject()
        writer.key("a")
        writer.int(1)
        writer.endObject()
        #expect(text(writer) == "{}\n{\"a\":1}")
    }

    @Test func everyStringRoundTripsThroughTheScanner() throws {
        var awkward = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }
        awkward += ["\"", "\\", "/", "plain", "", "é", "€", "😀", "a\"b\\c\nd", "\u{2028}"]
        var writer = JSONLineWriter()
        writer.beginArray()
        for value in awkward { writer.string(value) }
        writer.endArray()

        let decoded = try JSONScanner.withScanner(writer.bytes) { scanner in
            var values: [String] = []
            try scanner.forEachElement(of: try scanner.root()) {
                values.append(try scanner.string($0))
                return true
            }
            return values
        }
        #expect(decoded == awkward)
        let foundation = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String]
        #expect(foundation == awkward)
    }

    @Test func quotedIsTheStringLiteralTheWriterWrites() {
        #expect(JSONLineWriter.quoted("a\"b\\c\nd\re\tf\u{01}g é") == #""a\"b\\c\nd\re\tf\u0001g é""#)
        #expect(JSONLineWriter.quoted("") == #""""#)
    }
}

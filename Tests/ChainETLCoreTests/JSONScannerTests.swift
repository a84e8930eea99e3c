import Foundation
import Testing

@testable import ChainETLCore

@Suite("JSONScanner")
struct JSONScannerTests {
    private func scan<T>(_ text: String, _ body: (JSONScanner) throws -> T) throws -> T {
        try JSONScanner.withScanner(Array(text.utf8), body)
    }

    private func rootError(_ text: String) -> JSONScanError? {
        do {
            _ = try scan(text) { try $0.root() }
            return nil
        } catch let error as JSONScanError {
            return error
        } catch {
            return nil
        }
    }

    private func text(_ scanner: JSONScanner, _ slice: JSONSlice) -> String {
        String(decoding: scanner.rawBytes(slice), as: UTF8.self)
    }

    @Test func findsMembersOfAnObject() throws {
        let json =
            #" { "status" : "1", "result" : [ {"blockNumber":"0x10","value":"12"} , {"x":[]} ], "n": -1.5e3, "ok": true, "none": null } "#
        try scan(json) { scanner in
            let root = try scanner.root()
            #expect(root.kind == .object)
            #expect(text(scanner, root).hasPrefix("{ \"status\""))
            #expect(text(scanner, root).hasSuffix("null }"))
            let status = try #require(try scanner.member("status", of: root))
            #expect(status.kind == .string)
            #expect(text(scanner, status) == "1")
            #expect(try scanner.string(status) == "1")
            let number = try #require(try scanner.member("n", of: root))
            #expect(number.kind == .number)
            #expect(text(scanner, number) == "-1.5e3")
            #expect(try scanner.member("ok", of: root)?.kind == .bool)
            #expect(try scanner.member("none", of: root)?.kind == .null)
            #expect(try scanner.member("absent", of: root) == nil)

            let result = try #require(try scanner.member("result", of: root))
            #expect(result.kind == .array)
            var elements: [JSONSlice] = []
            try scanner.forEachElement(of: result) {
                elements.append($0)
                return true
            }
            #expect(elements.map(\.kind) == [.object, .object])
            #expect(text(scanner, elements[0]) == #"{"blockNumber":"0x10","value":"12"}"#)
            let inner = try #require(try scanner.member("x", of: elements[1]))
            var innerCount = 0
            try scanner.forEachElement(of: inner) { _ in
                innerCount += 1
                return true
            }
            #expect(innerCount == 0)
        }
    }

    @Test func visitsMembersInOrderAndStopsEarly() throws {
        try scan(#"{"a":1,"b":{"c":2},"d":[3]}"#) { scanner in
            let root = try scanner.root()
            var keys: [String] = []
            try scanner.forEachMember(of: root) { key, _ in
                keys.append(String(decoding: UnsafeRawBufferPointer(rebasing: scanner.bytes[key]), as: UTF8.self))
                return true
            }
            #expect(keys == ["a", "b", "d"])
            var visited = 0
            try scanner.forEachMember(of: root) { _, _ in
                visited += 1
                return false
            }
            #expect(visited == 1)
        }
    }

    @Test func memberKeysAreComparedRaw() throws {
        try scan(#"{"\u0061":1,"a":2}"#) { scanner in
            let root = try scanner.root()
            let value = try #require(try scanner.member("a", of: root))
            #expect(text(scanner, value) == "2")
        }
    }

    @Test func decodesEveryEscape() throws {
        try scan(#""q\"b\\s\/b\bf\fn\nr\rt\tu\u00e9\u20AC""#) { scanner in
            let slice = try scanner.root()
            #expect(scanner.hasEscapes(slice))
            #expect(try scanner.string(slice) == "q\"b\\s/b\u{08}f\u{0C}n\nr\rt\tué€")
        }
        try scan(#""plain é""#) { scanner in
            let slice = try scanner.root()
            #expect(!scanner.hasEscapes(slice))
            #expect(try scanner.string(slice) == "plain é")
        }
    }

    @Test func decodesSurrogatePairs() throws {
        try scan(#""\ud83d\ude00 and \uD834\uDD1E""#) { scanner in
            let slice = try scanner.root()
            #expect(try scanner.string(slice) == "😀 and 𝄞")
        }
    }

    @Test func rejectsBrokenSurrogates() throws {
        for json in [#""\ud83d""#, #""\ud83dx""#, #""\ud83d\u0041""#, #""\ude00""#] {
            try scan(json) { scanner in
                let slice = try scanner.root()
                #expect(throws: JSONScanError.self) { try scanner.string(slice) }
            }
        }
        try scan(#""\ud83d\u0041""#) { scanner in
            let slice = try scanner.root()
            #expect(throws: JSONScanError.invalidEscape(offset: 7)) { try scanner.string(slice) }
        }
    }

    @Test func reportsErrorsWithTheirOffsets() {
        #expect(rootError("") == .unexpectedEnd(offset: 0))
        #expect(rootError("   ") == .unexpectedEnd(offset: 3))
        #expect(rootError(#"{"a":1,}"#) == .unexpectedByte(UInt8(ascii: "}"), offset: 7))
        #expect(rootError(#"{"a" 1}"#) == .unexpectedByte(UInt8(ascii: "1"), offset: 5))
        #expect(rootError(#"{"a":1"#) == .unexpectedEnd(offset: 6))
        #expect(rootError(#"{a:1}"#) == .unexpectedByte(UInt8(ascii: "a"), offset: 1))
        #expect(rootError("[1,2") == .unexpectedEnd(offset: 4))
        #expect(rootError("[1,]") == .unexpectedByte(UInt8(ascii: "]"), offset: 3))
        #expect(rootError("[1 2]") == .unexpectedByte(UInt8(ascii: "2"), offset: 3))
        #expect(rootError(#""abc"#) == .unexpectedEnd(offset: 4))
        #expect(rootError("\"a\nb\"") == .unexpectedByte(0x0A, offset: 2))
        #expect(rootError(#""\x""#) == .invalidEscape(offset: 1))
        #expect(rootError(#""\u12G4""#) == .invalidEscape(offset: 3))
        #expect(rootError(#"{"a":1} x"#) == .trailingBytes(offset: 8))
        #expect(rootError("tru") == .unexpectedEnd(offset: 3))
        #expect(rootError("trux") == .unexpectedByte(UInt8(ascii: "t"), offset: 0))
        #expect(rootError("nul") == .unexpectedEnd(offset: 3))
        #expect(rootError("@") == .unexpectedByte(UInt8(ascii: "@"), offset: 0))
        #expect(rootError(String(repeating: "[", count: 200)) == .tooDeep(offset: 128))
    }

    @Test func followsTheNumberGrammar() {
        for valid in [
            "0", "-0", "7", "123", "-12.25E-3", "1.5e+10", "1e5", "0.5",
            "115792089237316195423570985008687907853269984665640564039457584007913129639935",
        ] {
            #expect(rootError(valid) == nil, "\(valid)")
        }
        #expect(rootError("-") == .unexpectedEnd(offset: 1))
        #expect(rootError("-a") == .unexpectedByte(UInt8(ascii: "a"), offset: 1))
        #expect(rootError("01") == .trailingBytes(offset: 1))
        #expect(rootError("1.") == .unexpectedEnd(offset: 2))
        #expect(rootError("1.e5") == .unexpectedByte(UInt8(ascii: "e"), offset: 2))
        #expect(rootError("1e") == .unexpectedEnd(offset: 2))
        #expect(rootError("1e+") == .unexpectedEnd(offset: 3))
        #expect(rootError("1-2") == .trailingBytes(offset: 1))
        #expect(rootError("+1") == .unexpectedByte(UInt8(ascii: "+"), offset: 0))
        #expect(rootError("[1.5,-2]") == nil)
    }

    @Test func handsOutRawSlicesWithoutCopying() throws {
        let bytes = Array(#"{"row":{"value":"0x1f", "log":[1, 2]},"s":"a\"b"}"#.utf8)
        try bytes.withUnsafeBytes { buffer in
            let scanner = JSONScanner(bytes: buffer)
            let root = try scanner.root()
            let row = try #require(try scanner.member("row", of: root))
            let raw = scanner.rawBytes(row)
            #expect(raw.baseAddress == buffer.baseAddress! + row.range.lowerBound)
            #expect(String(decoding: raw, as: UTF8.self) == #"{"value":"0x1f", "log":[1, 2]}"#)
            let string = try #require(try scanner.member("s", of: root))
            #expect(String(decoding: scanner.rawBytes(string), as: UTF8.self) == #"a\"b"#)
            #expect(try scanner.string(string) == "a\"b")
            #expect(scanner.equals(string.range, #""a\"b""#))
            #expect(!scanner.equals(string.range, "ab"))
        }
    }

    @Test func scansAValueInsideALargerBuffer() throws {
        try scan(#"garbage  [true,false] tail"#) { scanner in
            let slice = try scanner.value(at: 7)
            #expect(slice == JSONSlice(kind: .array, range: 9..<21))
            #expect(scanner.skipWhitespace(from: 7) == 9)
        }
    }

    @Test func describesErrorsInLowercase() {
        #expect(JSONScanError.unexpectedByte(0x7D, offset: 7).description == "unexpected byte 0x7d at byte 7")
        #expect(JSONScanError.unexpectedEnd(offset: 3).description == "json ends unexpectedly at byte 3")
    }
}

import ChainETLCore
import Testing

@testable import ChainETLStages

@Suite("file field values")
struct FieldValueTests {
    @Test(arguments: [
        ("2026-11-20T10:00:00Z", "2026-11-20 10:00:00.000000+00"),
        ("2026-11-20 10:00:00.5z", "2026-11-20 10:00:00.500000+00"),
        ("2026-11-20T01:30:00.123456789+02:00", "2026-11-19 23:30:00.123456+00"),
        ("2026-11-30T23:00:00-01:00", "2026-12-01 00:00:00.000000+00"),
        ("2028-02-29T00:00:00Z", "2028-02-29 00:00:00.000000+00"),
        ("1795132800", "2026-11-20 00:00:00.000000+00"),
        ("1795132800123", "2026-11-20 00:00:00.123000+00"),
    ])
    func timestampsAreReadExactly(text: String, expected: String) throws {
        let timestamp = try EventTimestamp.parse(text).get()
        #expect(timestamp.postgresText == expected)
    }

    @Test(arguments: [
        "2026-11-20T10:00:00", "2026-02-30T00:00:00Z", "2026-11-20T24:00:00Z", "yesterday", "2026-11-20T10:00:00.Z",
    ])
    func malformedTimestampsAreRefused(text: String) {
        guard case .failure(.invalid) = EventTimestamp.parse(text) else {
            Issue.record("\(text) was accepted")
            return
        }
    }

    @Test func dayOfATimestampIsItsUTCDay() throws {
        #expect(try EventTimestamp.parse("2026-11-30T23:59:59.999999Z").get().day == PartitionDay("2026-11-30"))
        #expect(try EventTimestamp.parse("2026-12-01T00:30:00+01:00").get().day == PartitionDay("2026-11-30"))
    }

    @Test(arguments: [
        ("12", "12"), ("0.5", "0.5"), (".5", ".5"), ("1.", "1."), ("+3", "3"), ("1.5e-3", "1.5e-3"),
        (" 7.25 ", "7.25"),
        (
            "123456789012345678901234567890.000000000000000000001",
            "123456789012345678901234567890.000000000000000000001"
        ),
    ])
    func decimalsStayExactText(text: String, expected: String) throws {
        #expect(try DecimalText.validate(text).get() == expected)
    }

    @Test(arguments: ["-1", "NaN", "inf", "1,000", "0x10", "1e", "e5", ".", "1e1001", "1.2.3"])
    func nonDecimalsAreRefused(text: String) {
        guard case .failure(.invalid) = DecimalText.validate(text) else {
            Issue.record("\(text) was accepted")
            return
        }
    }

    /// Sizes and prices stay below 10^30, decided on the text (`1e400` is no float overflow here).
    @Test(arguments: [
        ("1e400", false), ("1e30", false), ("10e29", false), ("1000000000000000000000000000000", false),
        ("0.00001e35", false), ("9.99e29", true), ("999999999999999999999999999999", true), ("1e-400", true),
        ("1e-900", true), ("0e999", true), ("0.000", true), ("0.00001e34", true),
    ])
    func decimalsAreBoundedBelowTenToTheThirty(text: String, accepted: Bool) {
        switch DecimalText.validate(text) {
        case .success: #expect(accepted, "\(text) was accepted")
        case .failure(let problem): #expect(!accepted, "\(text) was refused: \(problem)")
        }
    }

    @Test func pricesMustBeAboveZero() {
        #expect((try? DecimalText.validate("0.00", positive: true).get()) == nil)
        #expect((try? DecimalText.validate("0.01", positive: true).get()) == "0.01")
        #expect((try? DecimalText.validate("0.00").get()) == "0.00")
    }

    @Test func fieldPathsDescendAndPreferLiteralDottedKeys() throws {
        let json = Array(#"{"a":{"b":{"c":"deep"}},"a.b":"literal","x":{"y":1},"z":[1]}"#.utf8)
        try JSONScanner.withScanner(json) { scanner in
            let root = try scanner.root()
            let value: (String) throws -> String? = { path in
                try JSONFieldPath(path)!.resolve(in: scanner, object: root).map {
                    String(decoding: scanner.rawBytes($0), as: UTF8.self)
                }
            }
            #expect(try value("a.b.c") == "deep")
            #expect(try value("a.b") == "literal")
            #expect(try value("x.y") == "1")
            #expect(try value("x.q") == nil)
            #expect(try value("z.0") == nil)
        }
        #expect(JSONFieldPath("a..b") == nil)
        #expect(JSONFieldPath("") == nil)
    }
}

import ChainETLCore
import Foundation
import Testing

@testable import ChainETLStages

@Suite("Export value formatting")
struct ExportValueFormatterTests {
    @Test("Postgres type names map to export kinds; floats and money are refused")
    func kinds() {
        #expect(ExportColumnKind(postgresType: "bigint") == .integer)
        #expect(ExportColumnKind(postgresType: "smallint") == .integer)
        #expect(ExportColumnKind(postgresType: "numeric") == .numeric)
        #expect(ExportColumnKind(postgresType: "numeric(78,0)") == .numeric)
        #expect(ExportColumnKind(postgresType: "timestamp with time zone") == .timestampUTC)
        #expect(ExportColumnKind(postgresType: "timestamp(3) with time zone") == .timestampUTC)
        #expect(ExportColumnKind(postgresType: "timestamp without time zone") == .timestampLocal)
        #expect(ExportColumnKind(postgresType: "date") == .date)
        #expect(ExportColumnKind(postgresType: "boolean") == .boolean)
        #expect(ExportColumnKind(postgresType: "jsonb") == .json)
        #expect(ExportColumnKind(postgresType: "text") == .text)
        #expect(ExportColumnKind(postgresType: "character varying(10)") == .text)
        #expect(ExportColumnKind(postgresType: "numeric[]") == .text)
        #expect(ExportColumnKind(postgresType: "double precision") == nil)
        #expect(ExportColumnKind(postgresType: "real") == nil)
        #expect(ExportColumnKind(postgresType: "money") == nil)
    }

    @Test("timestamps become ISO 8601, UTC ones with Z, fractions kept")
    func timestamps() {
        #expect(ExportValueFormatter.text("2026-11-20 00:00:12+00", kind: .timestampUTC) == "2026-11-20T00:00:12Z")
        #expect(
            ExportValueFormatter.text("2026-11-20 23:59:59.123456+00", kind: .timestampUTC)
                == "2026-11-20T23:59:59.123456Z")
        #expect(ExportValueFormatter.text("2026-11-20 08:30:00", kind: .timestampLocal) == "2026-11-20T08:30:00")
        #expect(ExportValueFormatter.text("infinity", kind: .timestampUTC) == "infinity")
        // Not what a UTC/ISO session prints: refused rather than mislabelled.
        #expect(ExportValueFormatter.text("2026-11-20 05:30:00+05:30", kind: .timestampUTC) == nil)
        #expect(ExportValueFormatter.text("0044-03-15 00:00:00+00 BC", kind: .timestampUTC) == nil)
        #expect(ExportValueFormatter.text("Fri Nov 20 00:00:12 2026 UTC", kind: .timestampUTC) == nil)
    }

    @Test("numerics pass through as their exact text, never via a float")
    func numerics() {
        let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        #expect(ExportValueFormatter.text(max, kind: .numeric) == max)
        // 2^257 - 3 (a daily sum above any uint256) and an 18-decimal adjusted value.
        let sum = "231584178474632390847141970017375815706539969331281128078915168015826259279869"
        #expect(ExportValueFormatter.text(sum, kind: .numeric) == sum)
        #expect(
            ExportValueFormatter.text("0.000000000000000001", kind: .numeric) == "0.000000000000000001")
        #expect(ExportValueFormatter.text("t", kind: .boolean) == "true")
        #expect(ExportValueFormatter.text("f", kind: .boolean) == "false")
        #expect(ExportValueFormatter.text("yes", kind: .boolean) == nil)
    }

    @Test("NDJSON: integers as numbers, amounts as strings, JSON embedded, NULL as null")
    func json() {
        var line = JSONLineWriter()
        line.beginObject()
        ExportValueFormatter.appendJSON(name: "chain_id", "1", kind: .integer, to: &line)
        ExportValueFormatter.appendJSON(name: "volume_raw", "123456789012345678901234567890", kind: .numeric, to: &line)
        ExportValueFormatter.appendJSON(name: "name", "say \"hi\"\n", kind: .text, to: &line)
        ExportValueFormatter.appendJSON(name: "meta", "{\"a\": 1}", kind: .json, to: &line)
        ExportValueFormatter.appendJSON(name: "ok", "true", kind: .boolean, to: &line)
        ExportValueFormatter.appendJSON(name: "usd", nil, kind: .numeric, to: &line)
        line.endObject()
        #expect(
            String(decoding: line.bytes, as: UTF8.self)
                == #"{"chain_id":1,"volume_raw":"123456789012345678901234567890","name":"say \"hi\"\n","meta":{"a": 1},"ok":true,"usd":null}"#
        )
    }
}

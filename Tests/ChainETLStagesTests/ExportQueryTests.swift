import Foundation
import Testing

@testable import ChainETLStages

@Suite("Export query headers")
struct ExportQueryTests {
    private let valid = """
        -- export: daily_token_volume
        -- description: One row per chain, token and day.
        -- key: chain_id, token_address, day
        -- column chain_id: EVM chain id.
        -- column token_address: Token contract.
        -- column day: The UTC day.
        -- column volume_raw: Raw volume.
        --
        -- Free comment lines are allowed.

        SELECT chain_id, token_address, day, volume_raw
        FROM daily_token_volume
        WHERE day = $3::date
        ORDER BY chain_id, token_address;
        """

    @Test("a valid header gives the name, key, descriptions and the statement without its semicolon")
    func parses() throws {
        let query = try ExportQuery(name: "daily_token_volume", text: valid, path: "x.sql", sha256: "abc")
        #expect(query.key == ["chain_id", "token_address", "day"])
        #expect(query.description == "One row per chain, token and day.")
        #expect(query.columnDescriptions.map(\.name) == ["chain_id", "token_address", "day", "volume_raw"])
        #expect(query.description(ofColumn: "volume_raw") == "Raw volume.")
        #expect(query.sql.hasPrefix("SELECT chain_id"))
        #expect(query.sql.hasSuffix("ORDER BY chain_id, token_address"))
    }

    @Test(
        "a malformed header is refused with its line",
        arguments: [
            ("-- export: other\n-- description: d\n-- key: a\n-- column a: x\nSELECT 1 AS a", "file is for summary"),
            ("-- description: d\n-- key: a\n-- column a: x\nSELECT 1 AS a", "lacks '-- export"),
            ("-- export: s\n-- key: a\n-- column a: x\nSELECT 1 AS a", "lacks '-- description"),
            ("-- export: s\n-- description: d\n-- column a: x\nSELECT 1 AS a", "lacks '-- key"),
            ("-- export: s\n-- description: d\n-- key: a, b\n-- column a: x\nSELECT 1 AS a", "key column b"),
            ("-- export: s\n-- description: d\n-- key: a\n-- column a: x\n-- column a: y\nSELECT 1", "described twice"),
            ("-- export: s\n-- description: d\n-- key: a\n-- column A-b: x\nSELECT 1", "not a plain column name"),
            ("-- export: s\n-- description: d\n-- key: a\n-- column a: x\n", "holds no SELECT"),
        ])
    func refuses(text: String, message: String) {
        let error = #expect(throws: ExportError.self) {
            try ExportQuery(name: "s", text: text, path: "s.sql", sha256: "")
        }
        #expect(error.map { "\($0)".contains(message) } == true, "\(String(describing: error))")
        #expect(error.map { "\($0)".hasPrefix("s.sql:") } == true)
    }

    @Test("every shipped export query parses and keys on described columns")
    func shippedQueries() throws {
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("pipelines/sql/export")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }.map { String($0.dropLast(4)) }.sorted()
        #expect(names.count >= 7)
        for name in names {
            let query = try ExportConfiguration.readQuery(
                name: name, file: directory.appendingPathComponent("\(name).sql"))
            #expect(query.key.allSatisfy { query.description(ofColumn: $0) != nil })
            #expect(query.sql.localizedCaseInsensitiveContains("ORDER BY"), "\(name) must order its rows")
            #expect(query.sha256.count == 64)
        }
    }
}

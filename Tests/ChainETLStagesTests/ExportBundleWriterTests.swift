import ChainETLCore
import ChainETLPostgres
import Foundation
import Testing

@testable import ChainETLStages

/// The export writer against a migrated scratch database filled with awkward values.
@Suite("Export bundle writer", .serialized)
struct ExportBundleWriterTests {
    static let day = PartitionDay("2026-11-20")!
    static let maxUInt256 = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
    /// 2^257 − 3: a daily sum above any uint256.
    static let bigSum = "231584178474632390847141970017375815706539969331281128078915168015826259279869"
    static let tokenA = "0x" + String(repeating: "a", count: 40)
    static let tokenB = "0x" + String(repeating: "b", count: 40)
    static let exportDirectory = ChainETLPackage.root.appendingPathComponent("pipelines/sql/export")

    /// A migrated database holding one day of aggregates (and a row of the next day, which must
    /// not be exported).
    static func filledDatabase() throws -> (ExportScratchDatabase, PostgresConnection) {
        let database = try ExportScratchDatabase(prefix: "chainetl_export")
        let connection = try database.connect()
        _ = try Migrator(directory: ChainETLPackage.root.appendingPathComponent("schemas")).migrate(connection)
        let zero = "0x" + String(repeating: "0", count: 40)
        try connection.executeScript(
            unsafeSQL: """
                SELECT chainetl_ensure_transfer_partition('2026-11-20 00:00:00+00');
                INSERT INTO transfers (transfer_id, chain_id, block_number, block_time, tx_hash, occurrence,
                    token_address, from_address, to_address, value, source, pipeline)
                VALUES (decode('00112233445566778899aabbccddeeff', 'hex'), 1, 100, '2026-11-20 00:00:12+00',
                        '0x01', 0, '\(tokenA)', '\(zero)', '0x0000000000000000000000000000000000000001', 5,
                        'etherscan-logs', 'demo'),
                       (decode('ffeeddccbbaa99887766554433221100', 'hex'), 1, 105, '2026-11-20 23:59:59.5+00',
                        '0x02', 0, '\(tokenA)', '0x0000000000000000000000000000000000000001', '\(zero)', 5,
                        'etherscan-logs', 'demo');
                INSERT INTO token_metadata VALUES
                    (1, '\(tokenA)', 'USD"T, v2', E'Tether\\nUSD', 6, '2026-11-20', '2026-11-20'),
                    (1, '\(tokenB)', 'Ünï 🚀', '', NULL, '2026-11-20', '2026-11-20');
                INSERT INTO daily_token_volume VALUES
                    (1, '\(tokenA)', '2026-11-20', 3, \(maxUInt256), 2, 3, 1, 1000000, 0, 0, 4, 7, 6, 12.5,
                     '2026-11-20 23:59:59.5+00'),
                    (1, '\(tokenB)', '2026-11-20', 2, \(bigSum), 1, 1, 0, 0, 0, 0, 2, 9, NULL, NULL,
                     '2026-11-20 00:00:12+00'),
                    (1, '\(tokenA)', '2026-11-21', 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 6, NULL, '2026-11-21 01:00:00+00');
                INSERT INTO daily_address_volume VALUES
                    (1, '\(tokenA)', '0x0000000000000000000000000000000000000002', '2026-11-20', 1, 0, 1, 0),
                    (1, '\(tokenA)', '0x0000000000000000000000000000000000000001', '2026-11-20', 0, 1, 0, 1),
                    (1, '\(tokenB)', '0x0000000000000000000000000000000000000001', '2026-11-20', \(bigSum), 0, 2, 0);
                """)
        return (database, connection)
    }

    static func queries(_ names: [String], directory: URL = exportDirectory) throws -> [ExportQuery] {
        try names.map {
            try ExportConfiguration.readQuery(name: $0, file: directory.appendingPathComponent("\($0).sql"))
        }
    }

    static func request(runID: String, now: Date = Date(timeIntervalSince1970: 1_795_500_000))
        -> ExportBundleWriter.Request
    {
        let chain = ChainSpec(
            name: "ethereum", chainID: 1, explorer: .etherscan,
            baseURL: "https://user:secret@api.example.com/v2/api?apikey=k",
            apiKeyEnv: "ETHERSCAN_API_KEY", ratePerSecond: 5, ratePerDay: nil, confirmations: 12, tokens: [],
            accounts: [], location: SourceLocation(file: "demo.yaml", line: 1, column: 1))
        return ExportBundleWriter.Request(
            pipeline: "demo", chains: [chain], partition: day, runID: runID, stageID: "export",
            inputs: ["aggregate": "c0ffee"], now: now)
    }

    @Test("a bundle holds exact CSV, NDJSON and a manifest with provenance, types and checksums")
    func writesBundle() throws {
        let (database, connection) = try Self.filledDatabase()
        defer {
            connection.close()
            withExtendedLifetime(database) {}
        }
        let root = try ExportTemporaryDirectory()
        let writer = ExportBundleWriter(
            queries: try Self.queries(["daily_token_volume", "daily_address_volume", "hourly_token_volume"]),
            root: root.url)
        let manifest = try writer.write(Self.request(runID: "run-a"), connection: connection, logger: .exportTests)
        let bundle = root.url.appendingPathComponent("demo/2026-11-20")

        let csv = try String(contentsOf: bundle.appendingPathComponent("daily_token_volume.csv"), encoding: .utf8)
        let lines = csv.components(separatedBy: "\r\n")
        #expect(
            lines[0]
                == "chain_id,token_address,token_symbol,day,token_decimals,transfer_count,volume_raw,volume,"
                + "unique_senders,unique_receivers,mint_count,mint_raw,mint,burn_count,burn_raw,burn,volume_usd,"
                + "last_transfer_at")
        #expect(
            lines[1]
                == "1,\(Self.tokenA),\"USD\"\"T, v2\",2026-11-20,6,3,\(Self.maxUInt256),"
                + "115792089237316195423570985008687907853269984665640564039457584007913129.639935,"
                + "2,3,1,1000000,1,0,0,0,12.5,2026-11-20T23:59:59.5Z")
        #expect(lines[2] == "1,\(Self.tokenB),Ünï 🚀,2026-11-20,,2,\(Self.bigSum),,1,1,0,0,,0,0,,,2026-11-20T00:00:12Z")
        #expect(lines.count == 4 && lines[3].isEmpty, "two rows, CRLF-terminated, the next day left out")

        let hourly = try String(contentsOf: bundle.appendingPathComponent("hourly_token_volume.csv"), encoding: .utf8)
        #expect(hourly == "chain_id,token_address,hour,transfer_count,volume_raw,volume\r\n")

        let reader = try GzipLineReader(path: bundle.appendingPathComponent("daily_token_volume.ndjson.gz").path)
        var ndjson: [String] = []
        try reader.forEachLine { ndjson.append(String(decoding: $0, as: UTF8.self)) }
        #expect(ndjson.count == 2)
        #expect(ndjson[1].hasPrefix("{\"chain_id\":1,\"token_address\":\"\(Self.tokenB)\",\"token_symbol\":\"Ünï 🚀\""))
        #expect(ndjson[1].contains("\"token_decimals\":null,\"transfer_count\":2,\"volume_raw\":\"\(Self.bigSum)\""))
        #expect(ndjson[1].hasSuffix("\"last_transfer_at\":\"2026-11-20T00:00:12Z\"}"))

        #expect(
            manifest.summaries.map(\.name) == ["daily_token_volume", "daily_address_volume", "hourly_token_volume"])
        #expect(manifest.summaries.map(\.rows) == [2, 3, 0])
        let volume = manifest.summaries[0]
        #expect(volume.key == ["chain_id", "token_address", "day"])
        #expect(volume.columns.first { $0.name == "volume_raw" }?.type == "numeric")
        #expect(volume.columns.first { $0.name == "token_decimals" }?.type == "smallint")
        #expect(volume.columns.first { $0.name == "last_transfer_at" }?.type == "timestamp with time zone")
        #expect(volume.columns.allSatisfy { !$0.description.isEmpty })
        #expect(
            manifest.chains == [
                ExportManifest.Chain(
                    name: "ethereum", chainID: 1, explorer: "etherscan", source: "https://api.example.com/v2/api",
                    asOfBlock: 105, asOfTime: "2026-11-20T23:59:59.5Z", transfers: 2)
            ])
        #expect(manifest.freshness.kind == "closed_day")
        #expect(manifest.inputs == ["aggregate": "c0ffee"])
        #expect(manifest.chainetlVersion == ChainETLVersion.string)
        let onDisk = try ExportManifest.decode(Data(contentsOf: bundle.appendingPathComponent("manifest.json")))
        #expect(onDisk == manifest)
        // The manifest never carries a credential from the base URL.
        let manifestText = try String(contentsOf: bundle.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(!manifestText.contains("secret") && !manifestText.contains("apikey"))
        #expect(try ExportBundleVerifier(directory: bundle).verifyFiles() == manifest)
    }

    @Test("re-exporting gives byte-identical files and a manifest that differs only in run id and time")
    func reexportIsIdentical() throws {
        let (database, connection) = try Self.filledDatabase()
        defer {
            connection.close()
            withExtendedLifetime(database) {}
        }
        let first = try ExportTemporaryDirectory()
        let second = try ExportTemporaryDirectory()
        let names = ["daily_token_volume", "daily_address_volume", "hourly_token_volume", "token_summary"]
        let writer = ExportBundleWriter(queries: try Self.queries(names), root: first.url)
        let one = try writer.write(Self.request(runID: "run-1"), connection: connection, logger: .exportTests)
        var again = writer
        again.root = second.url
        again.fetchSize = 1  // a different batching must not change a byte
        let two = try again.write(
            Self.request(runID: "run-2", now: Date(timeIntervalSince1970: 1_795_600_000)), connection: connection,
            logger: .exportTests)
        for file in one.files {
            let a = try Data(contentsOf: first.url.appendingPathComponent("demo/2026-11-20/\(file.name)"))
            let b = try Data(contentsOf: second.url.appendingPathComponent("demo/2026-11-20/\(file.name)"))
            #expect(a == b, "\(file.name) differs")
        }
        #expect(one.runID != two.runID && one.generatedAt != two.generatedAt)
        var normalized = two
        normalized.runID = one.runID
        normalized.generatedAt = one.generatedAt
        #expect(normalized == one)
        let bytesOne = try one.encoded()
        let bytesTwo = try normalized.encoded()
        #expect(bytesOne == bytesTwo)

        // Exporting again into the same root replaces the bundle and leaves no temporary directory.
        _ = try writer.write(Self.request(runID: "run-3"), connection: connection, logger: .exportTests)
        let entries = try FileManager.default.contentsOfDirectory(atPath: first.url.appendingPathComponent("demo").path)
        #expect(entries == ["2026-11-20"])
        let replaced = try ExportManifest.decode(
            Data(contentsOf: first.url.appendingPathComponent("demo/2026-11-20/manifest.json")))
        #expect(replaced.runID == "run-3")
    }

    @Test(
        "inexact, undescribed and NULL-key columns and failing queries are refused naming the file; nothing is published"
    )
    func refusesBadQueries() throws {
        let (database, connection) = try Self.filledDatabase()
        defer {
            connection.close()
            withExtendedLifetime(database) {}
        }
        let sql = try ExportTemporaryDirectory()
        let header = "-- export: bad\n-- description: d\n-- key: chain_id\n-- column chain_id: c\n"
        let cases: [(String, String)] = [
            (
                header + "-- column ratio: r\nSELECT 1::bigint AS chain_id, 0.5::double precision AS ratio",
                "returns column ratio as double precision"
            ),
            (header + "SELECT 1::bigint AS chain_id, 2 AS extra", "returns column extra but"),
            (header + "-- column extra: e\nSELECT 1::bigint AS chain_id", "describes column extra but"),
            (header + "SELECT NULL::bigint AS chain_id", "returns NULL in key column chain_id"),
            (header + "SELECT chain_id FROM no_such_table", "no_such_table"),
        ]
        for (text, message) in cases {
            try text.write(to: sql.url.appendingPathComponent("bad.sql"), atomically: true, encoding: .utf8)
            let root = try ExportTemporaryDirectory()
            let writer = ExportBundleWriter(queries: try Self.queries(["bad"], directory: sql.url), root: root.url)
            let error = #expect(throws: ExportError.self) {
                try writer.write(Self.request(runID: "r"), connection: connection, logger: .exportTests)
            }
            let description = error.map { "\($0)" } ?? ""
            #expect(description.contains(message), "\(description)")
            #expect(description.contains("bad.sql"), "\(description)")
            let published = try FileManager.default.contentsOfDirectory(
                atPath: root.url.appendingPathComponent("demo").path)
            #expect(published.isEmpty, "\(published)")
        }
    }
}

/// Where this package's files are, for the shipped SQL and migrations.
enum ChainETLPackage {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
}

import ChainETLCore
import ChainETLPostgres
import Foundation
import Testing

@testable import ChainETLStages

/// `chainetl import`'s domain object against a real Postgres, on hand-built bundles.
@Suite("Export bundle import", .serialized)
struct ExportImportTests {
    static let maxUInt256 = "115792089237316195423570985008687907853269984665640564039457584007913129639935"

    /// A bundle with one keyed summary holding every awkward value, and one all-key summary.
    static func writeBundle(in directory: URL, volumeOfSecondRow: String = "42") throws {
        let volume = ExportManifest.Summary(
            name: "daily_volume", description: "One row per chain, token and day.",
            key: ["chain_id", "token_address", "day"],
            columns: [
                .init(name: "chain_id", type: "bigint", description: "chain"),
                .init(name: "token_address", type: "text", description: "token"),
                .init(name: "day", type: "date", description: "day"),
                .init(name: "token_name", type: "text", description: "name"),
                .init(name: "volume_raw", type: "numeric", description: "raw"),
                .init(name: "volume", type: "numeric", description: "adjusted"),
                .init(name: "last_transfer_at", type: "timestamp with time zone", description: "last"),
                .init(name: "meta", type: "json", description: "json"),
            ], rows: 3, files: [], querySHA256: "")
        let volumeRows: [[String?]] = [
            [
                "1", "0xaaa", "2026-11-20", "Tether \"USD\", v2\nline two", maxUInt256, "0.000000000000000001",
                "2026-11-20T23:59:59.5Z", "{\"a\": [1, 2]}",
            ],
            ["1", "0xbbb", "2026-11-20", "", volumeOfSecondRow, nil, "2026-11-20T00:00:00Z", nil],
            ["137", "0xccc", "2026-11-20", "Ünïcødé 🚀", "0", "0", "2026-11-20T12:00:00Z", "{}"],
        ]
        let members = ExportManifest.Summary(
            name: "members", description: "Pairs.", key: ["entity", "address"],
            columns: [
                .init(name: "entity", type: "text", description: "entity"),
                .init(name: "address", type: "text", description: "address"),
            ], rows: 2, files: [], querySHA256: "")
        let memberRows: [[String?]] = [["a", "0x1"], ["b", "0x2"]]

        var summaries: [ExportManifest.Summary] = []
        for (summary, rows) in [(volume, volumeRows), (members, memberRows)] {
            var filled = summary
            filled.files = [
                try writeCSV(directory, name: "\(summary.name).csv", header: summary.columns.map(\.name), rows: rows),
                try writeFile(directory, name: "\(summary.name).ndjson.gz", bytes: Array("not read by import".utf8)),
            ]
            filled.files[1].format = "ndjson.gz"
            filled.files[1].rows = rows.count
            summaries.append(filled)
        }
        let manifest = ExportManifest(
            format: ExportManifest.currentFormat, runID: "run-1", pipeline: "demo", partition: "2026-11-20",
            stageID: "export", generatedAt: "2026-11-21T00:00:00Z", chainetlVersion: ChainETLVersion.string,
            freshness: .init(kind: "closed_day", statement: "closed"), chains: [], inputs: [:], summaries: summaries)
        try manifest.encoded().write(to: directory.appendingPathComponent(ExportManifest.fileName))
    }

    private static func writeCSV(_ directory: URL, name: String, header: [String], rows: [[String?]]) throws
        -> ExportManifest.File
    {
        var builder = CSVRowBuilder()
        for column in header { builder.field(column) }
        builder.endRow()
        for row in rows {
            for field in row {
                if let field { builder.field(field) } else { builder.null() }
            }
            builder.endRow()
        }
        var file = try writeFile(directory, name: name, bytes: builder.bytes)
        file.rows = rows.count
        return file
    }

    private static func writeFile(_ directory: URL, name: String, bytes: [UInt8]) throws -> ExportManifest.File {
        let path = directory.appendingPathComponent(name).path
        try? FileManager.default.removeItem(atPath: path)
        let writer = try HashingFileWriter(path: path)
        try writer.write(bytes)
        let (size, sha256) = try writer.finish()
        return ExportManifest.File(name: name, format: "csv", rows: 0, bytes: size, sha256: sha256)
    }

    @Test("a fresh database gets the tables, every value exactly, and a second import changes nothing")
    func importsIdempotently() throws {
        let bundle = try ExportTemporaryDirectory()
        try Self.writeBundle(in: bundle.url)
        let database = try ExportScratchDatabase(prefix: "chainetl_import")
        let connection = try database.connect()
        defer { connection.close() }
        let importer = ExportBundleImporter(directory: bundle.url, schema: "analytics")

        let (_, first) = try importer.run(connection: connection, logger: .exportTests)
        #expect(first.map(\.inserted) == [3, 2])
        #expect(first.map(\.updated) == [0, 0])
        #expect(first.first?.table == "\"analytics\".\"daily_volume\"")

        try connection.execute(SQLQuery(unsafeSQL: "SET TimeZone TO 'UTC'"))
        let select = """
            SELECT chain_id, token_address, day, token_name, volume_raw, volume, last_transfer_at, meta::text,
                   xmin::text
            FROM analytics.daily_volume ORDER BY chain_id, token_address
            """
        let rows = try ExportScratchDatabase.rows(connection, select)
        #expect(
            rows.map { Array($0.dropLast()) } == [
                [
                    "1", "0xaaa", "2026-11-20", "Tether \"USD\", v2\nline two", Self.maxUInt256, "0.000000000000000001",
                    "2026-11-20 23:59:59.5+00", "{\"a\": [1, 2]}",
                ],
                ["1", "0xbbb", "2026-11-20", "", "42", nil, "2026-11-20 00:00:00+00", nil],
                ["137", "0xccc", "2026-11-20", "Ünïcødé 🚀", "0", "0", "2026-11-20 12:00:00+00", "{}"],
            ])
        let types = try ExportScratchDatabase.rows(
            connection,
            """
            SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attnum) FROM pg_attribute
            WHERE attrelid = 'analytics.daily_volume'::regclass AND attnum > 0
            """)
        #expect(types == [["bigint,text,date,text,numeric,numeric,timestamp with time zone,json"]])

        let (_, second) = try importer.run(connection: connection, logger: .exportTests)
        #expect(second.map(\.inserted) == [0, 0])
        #expect(second.map(\.updated) == [0, 0])
        #expect(second.map(\.unchanged) == [3, 2])
        // Not even rewritten: the row versions are the same.
        #expect(try ExportScratchDatabase.rows(connection, select).map(\.last) == rows.map(\.last))
    }

    @Test("a changed value is updated by key, the rest stays")
    func upsertsChangedRows() throws {
        let bundle = try ExportTemporaryDirectory()
        try Self.writeBundle(in: bundle.url)
        let database = try ExportScratchDatabase(prefix: "chainetl_import")
        let connection = try database.connect()
        defer { connection.close() }
        let importer = ExportBundleImporter(directory: bundle.url)
        _ = try importer.run(connection: connection, logger: .exportTests)

        try Self.writeBundle(in: bundle.url, volumeOfSecondRow: Self.maxUInt256)
        let (_, results) = try importer.run(connection: connection, logger: .exportTests)
        #expect(results.first.map { [$0.inserted, $0.updated, $0.unchanged] } == [0, 1, 2])
        let volumes = try ExportScratchDatabase.rows(
            connection, "SELECT volume_raw::text FROM public.daily_volume ORDER BY token_address")
        #expect(volumes == [[Self.maxUInt256], [Self.maxUInt256], ["0"]])
    }

    @Test("a flipped byte, a truncated file and a missing file are refused naming the file; nothing is loaded")
    func refusesDamagedBundles() throws {
        let database = try ExportScratchDatabase(prefix: "chainetl_import")
        let connection = try database.connect()
        defer { connection.close() }

        let cases: [(String, (URL) throws -> Void, String)] = [
            (
                "daily_volume.csv",
                { url in
                    var bytes = try Data(contentsOf: url)
                    bytes[bytes.count / 2] ^= 0x01
                    try bytes.write(to: url)
                }, "has sha256"
            ),
            (
                "members.csv",
                { url in try Data(try Data(contentsOf: url).dropLast(3)).write(to: url) },
                "bytes but manifest.json says"
            ),
            ("members.ndjson.gz", { url in try FileManager.default.removeItem(at: url) }, "missing"),
        ]
        for (file, damage, message) in cases {
            let bundle = try ExportTemporaryDirectory()
            try Self.writeBundle(in: bundle.url)
            try damage(bundle.url.appendingPathComponent(file))
            let error = #expect(throws: ImportError.self) {
                try ExportBundleImporter(directory: bundle.url).run(connection: connection, logger: .exportTests)
            }
            let text = error.map { "\($0)" } ?? ""
            #expect(text.contains(bundle.url.appendingPathComponent(file).path), "\(text)")
            #expect(text.contains(message), "\(text)")
        }
        let tables = try ExportScratchDatabase.rows(
            connection, "SELECT count(*) FROM pg_tables WHERE tablename IN ('daily_volume', 'members')")
        #expect(tables == [["0"]])

        let empty = try ExportTemporaryDirectory()
        let missing = #expect(throws: ImportError.self) {
            try ExportBundleImporter(directory: empty.url).run(connection: connection, logger: .exportTests)
        }
        #expect(missing.map { "\($0)".contains("has no manifest.json") } == true)
    }

    @Test("an existing table with another column type or key is refused and the transaction rolled back")
    func refusesIncompatibleTables() throws {
        let bundle = try ExportTemporaryDirectory()
        try Self.writeBundle(in: bundle.url)
        let database = try ExportScratchDatabase(prefix: "chainetl_import")
        let connection = try database.connect()
        defer { connection.close() }
        try connection.execute(
            SQLQuery(unsafeSQL: "CREATE TABLE members (entity text, address integer, PRIMARY KEY (entity, address))"))
        let error = #expect(throws: ImportError.self) {
            try ExportBundleImporter(directory: bundle.url).run(connection: connection, logger: .exportTests)
        }
        #expect(error.map { "\($0)".contains("its column address is integer, the bundle's is text") } == true)
        // daily_volume was created and loaded before members failed: rolled back with it.
        #expect(try ExportScratchDatabase.rows(connection, "SELECT to_regclass('daily_volume')::text") == [[nil]])
    }

    @Test("a manifest type that is not a type name is refused before any DDL")
    func refusesInjectedTypes() throws {
        let bundle = try ExportTemporaryDirectory()
        try Self.writeBundle(in: bundle.url)
        let path = bundle.url.appendingPathComponent(ExportManifest.fileName)
        var manifest = try ExportManifest.decode(Data(contentsOf: path))
        manifest.summaries[1].columns[1].type = "text); DROP TABLE x; --"
        try manifest.encoded().write(to: path)
        let database = try ExportScratchDatabase(prefix: "chainetl_import")
        let connection = try database.connect()
        defer { connection.close() }
        let error = #expect(throws: ImportError.self) {
            try ExportBundleImporter(directory: bundle.url).run(connection: connection, logger: .exportTests)
        }
        #expect(error.map { "\($0)".contains("is not a Postgres type name") } == true)
    }
}

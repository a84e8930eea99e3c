import ChainETLCore
import ChainETLPostgres
import Foundation
import Logging
import Testing

/// A 7-day run of the real aggregate SQL and the export stage through the built binary, then the
/// bundles loaded the way analysts load them (Python csv, DuckDB, pandas), imported into a fresh
/// database with `chainetl import`, re-exported byte for byte, and tampered with.
@Suite("chainetl exports and import (binary)", .serialized)
struct ExportEndToEndTests {
    static let days = PartitionDay.range(from: PartitionDay("2026-11-10")!, through: PartitionDay("2026-11-16")!)
    static let lastDay = days.last!
    static let summaries = [
        "daily_token_volume", "daily_address_volume", "hourly_token_volume", "token_summary", "platform_stats",
        "entity_daily_volume", "execution_daily_volume",
    ]
    /// Kept per as-of day; `chainetl import` keys them without the day, so the latest import wins.
    static let rollingSummaries: Set<String> = ["token_summary", "platform_stats"]
    static let keys: [String: [String]] = [
        "daily_token_volume": ["chain_id", "token_address", "day"],
        "daily_address_volume": ["chain_id", "token_address", "address", "day"],
        "hourly_token_volume": ["chain_id", "token_address", "hour"],
        "token_summary": ["chain_id", "token_address"],
        "platform_stats": ["scope", "chain_id"],
        "entity_daily_volume": ["entity_id", "chain_id", "token_address", "day"],
        "execution_daily_volume": ["venue", "account", "day"],
    ]
    static let exportSQL = ChainETLProcess.packageRoot.appendingPathComponent("pipelines/sql/export")
    static let script = ChainETLProcess.packageRoot.appendingPathComponent(
        "Tests/EndToEndTests/Fixtures/export_bundle.py")

    @Test func sevenDaysExportLoadImportAndVerify() throws {
        // DuckDB and pandas come from PyPI when missing; without them the test fails, never skips.
        let deps = try Self.python(["ensure-deps"])
        try #require(deps.status == 0, "cannot install duckdb/pandas: \(deps.stderr)")

        let source = try ExportE2EDatabase(prefix: "chainetl_export_src")
        let target = try ExportE2EDatabase(prefix: "chainetl_export_dst")
        let pipeline = try ExportE2EPipeline()
        defer { try? FileManager.default.removeItem(at: pipeline.root) }
        let environment = pipeline.environment(databaseURL: source.url)

        let migrate = try ChainETLProcess.run(
            ["migrate", "--database-url", source.url, "--log-format", "text"], environment: environment)
        try #require(migrate.exitCode == 0, "\(migrate.stderr)")
        try source.withConnection { try ExportE2EData.load(into: $0, days: Self.days, pipeline: pipeline.name) }

        let run = try pipeline.run(
            ["--from", "\(Self.days.first!)", "--to", "\(Self.lastDay)", "--jobs", "1"], environment: environment)
        try #require(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderrLines.last?.contains("0 failed, 7 partitions") == true, "\(run.stderrLines.last ?? "")")

        // 1. Every CSV loads with csv, DuckDB and pandas and equals the database, value by value.
        var truths: [PartitionDay: [String: ExportE2ETruth]] = [:]
        try source.withConnection { connection in
            for day in Self.days {
                truths[day] = try ExportE2ETruth.load(
                    Self.summaries, day: day, pipeline: pipeline.name, connection: connection)
            }
        }
        var totalRows = 0
        for day in Self.days {
            let bundle = pipeline.bundle(day)
            let manifest = try Self.manifest(bundle)
            #expect(manifest["partition"] as? String == "\(day)")
            let names = (manifest["summaries"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect(names == Self.summaries)
            let truthFile = pipeline.root.appendingPathComponent("truth-\(day).json")
            try ExportE2ETruth.write(truths[day]!, to: truthFile)
            totalRows += truths[day]!.values.reduce(0) { $0 + $1.rows.count }
            let check = try Self.python(["check", bundle.path, truthFile.path, target.url])
            #expect(check.status == 0, "\(day): \(check.stderr)")
            #expect(check.stdout.hasPrefix("ok: "), "\(check.stdout)")
        }
        #expect(totalRows > 300, "the fixture must exercise real volume, got \(totalRows) rows")

        // Issue 20 item 5: hostile token names are inert text in the CSV (one ' in front), exact in
        // the database; every loader above compared them exactly.
        let tokenCSV = try String(
            contentsOf: pipeline.bundle(Self.lastDay).appendingPathComponent("token_summary.csv"), encoding: .utf8)
        #expect(tokenCSV.contains(#","'=HYPERLINK(""x"",""y"")","#), "\(tokenCSV)")
        #expect(tokenCSV.contains(",''-2\t@SUM(A1),"), "\(tokenCSV)")
        #expect(!tokenCSV.contains(#","=HYPERLINK"#))

        // Every bundle holds the rolling summaries as of its own day (never empty), and the last
        // day's hold every token and chain of the earlier days.
        for day in Self.days {
            for name in Self.rollingSummaries {
                let rows = truths[day]![name]!.rows
                #expect(!rows.isEmpty, "\(day): \(name) is empty")
                #expect(rows.allSatisfy { $0[2] == "\(day)" }, "\(day): \(name) is not as of its day")
            }
        }

        // 2. `chainetl import` into a database that never saw chainetl equals the source. Importing
        // again inserts nothing; only the rolling summaries move (each bundle holds them as of its
        // own day), and the latest bundle imported twice in a row changes nothing at all.
        // Rolling keys (the first two columns of both summaries) already imported are updated.
        var rollingKeys: Set<[String?]> = []
        func importBundle(_ day: PartitionDay) throws -> String {
            let imported = try ChainETLProcess.run(
                [
                    "import", pipeline.bundle(day).path, "--database-url", target.url, "--schema", "analytics",
                    "--log-format", "text",
                ], environment: ["DATABASE_URL": ""])
            #expect(imported.exitCode == 0, "\(imported.stderr)")
            let last = imported.stderrLines.last.map(String.init) ?? ""
            #expect(last.hasPrefix("import: 7 summaries of \(pipeline.name) \(day) into schema analytics"), "\(last)")
            return last
        }
        for day in Self.days {
            let rows = try Self.manifestRows(pipeline.bundle(day))
            let last = try importBundle(day)
            // The first bundle creates every row; later ones add their days and move the rolling rows.
            var known = 0
            for name in Self.rollingSummaries {
                for row in truths[day]![name]!.rows {
                    let key = [name] + Array(row.prefix(2))
                    if rollingKeys.contains(key) { known += 1 } else { rollingKeys.insert(key) }
                }
            }
            let inserted = rows.total - known
            #expect(
                last.hasSuffix(
                    ": \(rows.total) rows, \(inserted) inserted, \(rows.total - inserted) updated, 0 unchanged"),
                "\(last)")
        }
        for day in Self.days {
            let rows = try Self.manifestRows(pipeline.bundle(day))
            let last = try importBundle(day)
            #expect(
                last.hasSuffix(" 0 inserted, \(rows.rolling) updated, \(rows.total - rows.rolling) unchanged"),
                "\(last)")
        }
        let repeated = try importBundle(Self.lastDay)
        #expect(
            repeated.hasSuffix(
                " 0 inserted, 0 updated, \(try Self.manifestRows(pipeline.bundle(Self.lastDay)).total) unchanged"),
            "\(repeated)")
        try target.withConnection { connection in
            try connection.execute(SQLQuery(unsafeSQL: "SET TimeZone TO 'UTC'"))
            for name in Self.summaries {
                var expected: [[String?]] = []
                for day in Self.days where !Self.rollingSummaries.contains(name) || day == Self.lastDay {
                    expected += truths[day]![name]!.rows
                }
                let columns = truths[Self.lastDay]![name]!.columns
                let rows = try ExportE2EDatabase.rows(
                    connection,
                    "SELECT \(columns.map { SQLIdentifier.quote($0) }.joined(separator: ", ")) FROM analytics.\(name)")
                #expect(Self.sorted(rows) == Self.sorted(expected), "analytics.\(name) differs from the source")
                #expect(!expected.isEmpty, "\(name) has no rows: the fixture must fill it")
            }
        }

        // 3. One flipped byte: import refuses the bundle, names the file, loads nothing.
        for file in ["daily_address_volume.csv", "token_summary.ndjson.gz"] {
            let copy = pipeline.root.appendingPathComponent("tampered-\(file)")
            try FileManager.default.copyItem(at: pipeline.bundle(Self.lastDay), to: copy)
            let path = copy.appendingPathComponent(file)
            var bytes = try Data(contentsOf: path)
            bytes[bytes.count / 2] ^= 0x20
            try bytes.write(to: path)
            let refused = try ChainETLProcess.run(
                ["import", copy.path, "--database-url", target.url, "--schema", "tampered", "--log-format", "text"],
                environment: [:])
            #expect(refused.exitCode == 1)
            #expect(refused.stderr.contains(path.path), "\(refused.stderr)")
            #expect(refused.stderr.contains("sha256"), "\(refused.stderr)")
        }
        let tamperedSchema = try target.withConnection { connection in
            try ExportE2EDatabase.rows(connection, "SELECT to_regnamespace('tampered')::text")
        }
        #expect(tamperedSchema == [[nil]], "a refused bundle must not create its schema")

        // 4. Re-export: byte-identical data files, a manifest that differs in run id and time only.
        let bundle = pipeline.bundle(Self.lastDay)
        let before = try Self.snapshot(bundle)
        let manifestBefore = try Self.manifest(bundle)
        Thread.sleep(forTimeInterval: 1.1)
        let rerun = try pipeline.run(
            ["--partition", "\(Self.lastDay)", "--select", "export", "--force"], environment: environment)
        try #require(rerun.exitCode == 0, "\(rerun.stderr)")
        let after = try Self.snapshot(bundle)
        #expect(before.keys.sorted() == after.keys.sorted())
        for (name, data) in before where name != "manifest.json" {
            #expect(after[name] == data, "\(name) changed on re-export")
        }
        var manifestAfter = try Self.manifest(bundle)
        #expect(manifestAfter["run_id"] as? String != manifestBefore["run_id"] as? String)
        #expect(manifestAfter["generated_at"] as? String != manifestBefore["generated_at"] as? String)
        var stripped = manifestBefore
        for key in ["run_id", "generated_at"] {
            stripped.removeValue(forKey: key)
            manifestAfter.removeValue(forKey: key)
        }
        #expect(
            NSDictionary(dictionary: stripped).isEqual(to: manifestAfter), "manifests differ beyond run id and time")

        // 5. An unchanged partition is skipped; a deleted bundle is re-exported.
        let skipped = try pipeline.run(["--partition", "\(Self.lastDay)"], environment: environment)
        #expect(skipped.exitCode == 0)
        #expect(try Self.snapshot(bundle) == after, "a skipped export must not touch the bundle")
        try FileManager.default.removeItem(at: bundle)
        let restored = try pipeline.run(["--partition", "\(Self.lastDay)"], environment: environment)
        #expect(restored.exitCode == 0, "\(restored.stderr)")
        let again = try Self.snapshot(bundle)
        for (name, data) in before where name != "manifest.json" {
            #expect(again[name] == data, "\(name) differs after the bundle was rebuilt")
        }

        // 6. docs/exports.md holds the column dictionary generated from this manifest.
        try Self.checkDictionary(manifest: bundle.appendingPathComponent("manifest.json"))

        // 7. Rerunning an older day (every stage, forced) reproduces its bundle byte for byte and
        // leaves the later days' bundles alone.
        var bundles: [PartitionDay: [String: Data]] = [:]
        for day in Self.days { bundles[day] = try Self.dataFiles(pipeline.bundle(day)) }
        let older = Self.days[2]
        let olderRerun = try pipeline.run(["--partition", "\(older)", "--force"], environment: environment)
        try #require(olderRerun.exitCode == 0, "\(olderRerun.stderr)")
        for day in Self.days {
            #expect(try Self.dataFiles(pipeline.bundle(day)) == bundles[day], "\(day) changed after rerunning \(older)")
        }

        // 8. The same data run with --jobs 2 (days aggregated concurrently) exports the same bytes
        // for every day as the --jobs 1 run above.
        let parallelSource = try ExportE2EDatabase(prefix: "chainetl_export_j2")
        let parallel = try ExportE2EPipeline()
        defer { try? FileManager.default.removeItem(at: parallel.root) }
        let parallelEnvironment = parallel.environment(databaseURL: parallelSource.url)
        let parallelMigrate = try ChainETLProcess.run(
            ["migrate", "--database-url", parallelSource.url, "--log-format", "text"], environment: parallelEnvironment)
        try #require(parallelMigrate.exitCode == 0, "\(parallelMigrate.stderr)")
        try parallelSource.withConnection {
            try ExportE2EData.load(into: $0, days: Self.days, pipeline: parallel.name)
        }
        let parallelRun = try parallel.run(
            ["--from", "\(Self.days.first!)", "--to", "\(Self.lastDay)", "--jobs", "2"], environment: parallelEnvironment)
        try #require(parallelRun.exitCode == 0, "\(parallelRun.stderr)")
        for day in Self.days {
            let files = try Self.dataFiles(parallel.bundle(day))
            #expect(files.keys.sorted() == bundles[day]!.keys.sorted())
            for (name, data) in bundles[day]! {
                #expect(files[name] == data, "\(day) \(name) differs between --jobs 2 and --jobs 1")
            }
        }
    }

    /// A bundle's data files (every file but the manifest, which names its run).
    static func dataFiles(_ bundle: URL) throws -> [String: Data] {
        try snapshot(bundle).filter { $0.key != "manifest.json" }
    }

    // MARK: - Helpers

    static func python(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path] + arguments
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("chainetl-py-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out")
        let err = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return (
            process.terminationStatus, try String(contentsOf: out, encoding: .utf8),
            try String(contentsOf: err, encoding: .utf8)
        )
    }

    static func manifest(_ bundle: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: bundle.appendingPathComponent("manifest.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func snapshot(_ bundle: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: bundle.path) {
            files[name] = try Data(contentsOf: bundle.appendingPathComponent(name))
        }
        return files
    }

    /// Rows of a bundle per its manifest: all, and those of the rolling summaries.
    static func manifestRows(_ bundle: URL) throws -> (total: Int, rolling: Int) {
        let summaries = try #require(try manifest(bundle)["summaries"] as? [[String: Any]])
        var total = 0
        var rolling = 0
        for summary in summaries {
            let rows = summary["rows"] as? Int ?? 0
            total += rows
            if rollingSummaries.contains(summary["name"] as? String ?? "") { rolling += rows }
        }
        return (total, rolling)
    }

    static func sorted(_ rows: [[String?]]) -> [[String?]] {
        rows.sorted { $0.map { $0 ?? "\u{0}" }.lexicographicallyPrecedes($1.map { $0 ?? "\u{0}" }) }
    }

    /// Compares the generated dictionary with docs/exports.md; `CHAINETL_UPDATE_DOCS=1` rewrites it.
    static func checkDictionary(manifest: URL) throws {
        let generated = try python(["dictionary", manifest.path])
        try #require(generated.status == 0, "\(generated.stderr)")
        let docs = ChainETLProcess.packageRoot.appendingPathComponent("docs/exports.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let begin = "<!-- BEGIN column-dictionary (generated by Tests/EndToEndTests/Fixtures/export_bundle.py) -->\n"
        let end = "<!-- END column-dictionary -->"
        let start = try #require(text.range(of: begin), "docs/exports.md lacks the dictionary markers")
        let stop = try #require(text.range(of: end, range: start.upperBound..<text.endIndex))
        let current = String(text[start.upperBound..<stop.lowerBound])
        let wanted = generated.stdout + "\n"
        if ProcessInfo.processInfo.environment["CHAINETL_UPDATE_DOCS"] == "1" {
            try (String(text[..<start.upperBound]) + wanted + String(text[stop.lowerBound...]))
                .write(to: docs, atomically: true, encoding: .utf8)
            return
        }
        #expect(
            current == wanted,
            """
            docs/exports.md is out of date with the export queries; regenerate it with
            CHAINETL_UPDATE_DOCS=1 .ci/with-postgres -- swift test --skip-build --filter ExportEndToEndTests
            """)
    }
}

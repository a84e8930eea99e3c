import ChainETLPostgres
import Foundation
import Testing

/// Issue 20 item 3 as a user checks it: a token symbol renamed in the pipeline, then
/// `--select normalize+`, shows the changed column with its values before and after in the
/// summary line, the HTML report and `chainetl diff` (the binary, the simulator, real Postgres).
@Suite("Rerun diff: readable column changes (binary, simulator, Postgres)")
struct RerunDiffReportTests {
    static let day = "2026-11-02"
    static let usdc = "0xad051f874da353489f3d796ac0d85a11ac2f37fe"

    /// One chain served by the simulator; `symbol` is the USDC entry's symbol.
    static func pipeline(name: String, symbol: String) -> String {
        let sql = ChainETLProcess.packageRoot.appendingPathComponent("pipelines/sql").path
        return """
            version: 1
            name: \(name)
            chains:
              ethereum:
                chain_id: 1
                explorer: etherscan
                base_url: ${E2E_SIMULATOR_URL}/v2/api
                api_key_env: E2E_EXPLORER_KEY
                rate_limit: { per_second: 100, per_day: 1000000 }
                confirmations: 12
                tokens:
                  - { address: "\(usdc)", symbol: \(symbol), decimals: 6 }
                  - { address: "0x40ecad73d462e7b6cafc3cbede39941cc9086c51", symbol: WETH, decimals: 18 }
            stages:
              - id: extract
                uses: extract/etherscan-logs
              - id: normalize
                uses: normalize/transfers
                needs: [extract]
              - id: dedupe
                uses: dedupe
                needs: [normalize]
              - id: load
                uses: load
                needs: [dedupe]
              - id: aggregate
                uses: aggregate
                needs: [load]
                with:
                  files: ["\(sql)/token_metadata.sql", "\(sql)/daily_token_volume.sql"]

            """
    }

    @Test func aRenamedSymbolShowsItsColumnBeforeAndAfterInTheSummaryTheReportAndChainetlDiff() throws {
        let database = try E2EDatabase()
        defer { database.drop() }
        let simulator = try E2ESimulator(seed: 11, transfersPerDay: 200)
        defer { simulator.stop() }
        let name = "e2e_rename_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("chainetl-\(name)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("\(name).yaml")
        let workdir = root.appendingPathComponent("work")
        let environment = [
            "DATABASE_URL": database.url, "E2E_SIMULATOR_URL": simulator.server.baseURL,
            "E2E_EXPLORER_KEY": simulator.apiKey,
        ]
        func run(_ extra: [String]) throws -> ChainETLProcess.Output {
            try ChainETLProcess.run(
                ["run", file.path, "--workdir", workdir.path, "--partition", Self.day, "--log-format", "text"] + extra,
                environment: environment)
        }

        try Self.pipeline(name: name, symbol: "USDC").write(to: file, atomically: true, encoding: .utf8)
        let first = try run([])
        #expect(first.exitCode == 0, "\(first.stderr.suffix(3000))")
        #expect(!(first.stderrLines.last ?? "").contains("rerun diff"), "a first run replaces nothing")

        // Before any rerun, `chainetl diff` says there is nothing and how to make one.
        let nothing = try ChainETLProcess.run(["diff", "--workdir", workdir.path], environment: environment)
        #expect(nothing.exitCode == 2)
        #expect(nothing.stderr.contains("--select normalize+"))

        try Self.pipeline(name: name, symbol: "USDX").write(to: file, atomically: true, encoding: .utf8)
        let rerun = try run(["--select", "normalize+"])
        #expect(rerun.exitCode == 0, "\(rerun.stderr.suffix(3000))")
        let usdcRows =
            Int(
                try database.scalar(
                    "SELECT count(*) FROM transfers WHERE chain_id = 1 AND token_address = $1 AND block_time >= $2::date "
                        + "AND block_time < $2::date + 1", [Self.usdc, Self.day])) ?? -1
        #expect(usdcRows > 0, "the day must hold USDC transfers to prove anything")

        // The summary line: normalize changed exactly the USDC rows, in one column, shown before and after.
        let summary = try #require(rerun.stderrLines.last.map(String.init))
        #expect(summary.contains("normalize +0 -0 ~\(usdcRows) token_symbol \"USDC\" → \"USDX\""), "\(summary)")

        // The JSON report: every sampled changed row changed token_symbol and nothing else.
        let runID = try #require(summary.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        let reportFile = workdir.appendingPathComponent("runs/\(runID).json")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: reportFile)) as? [String: Any])
        let units = try #require(report["units"] as? [[String: Any]])
        let normalize = try #require(units.first { $0["stage"] as? String == "normalize" })
        let diff = try #require(normalize["diff"] as? [String: Any])
        #expect(diff["changed"] as? Int == usdcRows)
        #expect(diff["added"] as? Int == 0)
        #expect(diff["removed"] as? Int == 0)
        let sampled = try #require(diff["changed_rows"] as? [[String: Any]])
        #expect(sampled.count == min(5, usdcRows))
        for row in sampled {
            let columns = try #require(row["columns"] as? [[String: Any]])
            #expect(columns.count == 1)
            #expect(columns.first?["column"] as? String == "token_symbol")
            #expect(columns.first?["before"] as? String == "\"USDC\"")
            #expect(columns.first?["after"] as? String == "\"USDX\"")
        }

        // The HTML report: the "what changed" section with the column before and after.
        let page = try String(
            contentsOf: workdir.appendingPathComponent("runs/\(runID).html"), encoding: .utf8)
        let changes = try #require(
            page.range(of: "<section id=\"changes\">").map { String(page[$0.lowerBound...]) }?.components(
                separatedBy: "</section>"
            ).first)
        #expect(changes.contains("<td>normalize</td>"))
        #expect(
            changes.contains(
                "<td><code>token_symbol</code></td><td class=\"before\"><code>&quot;USDC&quot;</code></td>"
                    + "<td class=\"after\"><code>&quot;USDX&quot;</code></td>"))
        #expect(changes.contains("<td class=\"number\">\(usdcRows)</td>"))

        // `chainetl diff` (the last rerun by default, and by id) prints the same changes.
        for arguments in [["diff", "--workdir", workdir.path], ["diff", runID, "--workdir", workdir.path]] {
            let printed = try ChainETLProcess.run(arguments, environment: environment)
            #expect(printed.exitCode == 0, "\(printed.stderr)")
            #expect(printed.stdout.hasPrefix("run \(runID) (\(name), \(Self.day)): rerun diff"))
            #expect(printed.stdout.contains("normalize \(Self.day): +0 -0 ~\(usdcRows) rows"))
            #expect(printed.stdout.contains("token_symbol: \"USDC\" → \"USDX\""))
        }
    }
}

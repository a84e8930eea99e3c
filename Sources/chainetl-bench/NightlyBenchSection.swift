import ChainETLCore
import ChainETLPostgres
import ChainETLSimulator
import Foundation
import Logging

/// Issue 15's acceptance run: the real `chainetl run` binary over a multi-day backfill of
/// `pipelines/nightly.yaml` (every stage: extract, normalize, dedupe, load, aggregate, export, prune)
/// against the in-process simulator with 400 ms answers, a 5 calls/s key and 2 % faults, in a fresh
/// database.
///
/// The nightly file is used as committed, with two substitutions the simulator needs: each chain's
/// token list becomes the simulator's tokens of that chain (same count), and its `sql/` folder is
/// linked next to the copy. The key, its rate and the explorer's URL come from the variables the
/// file documents (`ETHERSCAN_API_KEY`, `ETHERSCAN_PER_SECOND`, `ETHERSCAN_BASE_URL`).
///
/// Prints calls/s ÷ the limit over the span of the requests (first arrival to last, at the
/// simulator), the throttled share, calls ÷ the lower bound (the run report's `extract_calls`), and
/// checks the loaded transfers and every aggregate against the simulator's ground truth; any
/// difference fails the section.
struct NightlyBenchSection: BenchSection {
    let name = "nightly"
    static let latencyMilliseconds = 400
    static let perSecond = 5
    static let faultRate = 0.02
    static let seed: UInt64 = 15
    static let firstDay = PartitionDay("2026-11-16")!
    static let days = 4
    /// The simulator's tokens that stand in for the nightly file's, per chain, in file order.
    static let standIns: [String: (chainID: Int, symbols: [String])] = [
        "ethereum": (1, ["USDC", "WETH", "DAI", "HUGE"]),
        "cronos": (25, ["USDC", "WETH"]),
    ]

    func run(_ context: BenchContext) throws -> [BenchMeasure] {
        guard let adminURL = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
            throw BenchError.usage(
                "the nightly section needs DATABASE_URL; run it through .ci/with-postgres or make bench")
        }
        let repository = try AggregateBenchSection.repositoryRoot()
        // The chainetl next to this binary, or CHAINETL_BIN's (for A/B runs of two builds).
        let binary =
            ProcessInfo.processInfo.environment["CHAINETL_BIN"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("chainetl")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw BenchError.usage(
                "the nightly section runs \(binary.path); build it first: swift build -c release --product chainetl")
        }
        let workdir = context.scratch.appendingPathComponent("nightly", isDirectory: true)
        try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
        let pipelineFile = workdir.appendingPathComponent("nightly.yaml")
        let source = try String(
            contentsOf: repository.appendingPathComponent("pipelines/nightly.yaml"), encoding: .utf8)
        try Data(try Self.simulatorTokens(in: source).utf8).write(to: pipelineFile)
        let sqlLink = workdir.appendingPathComponent("sql")
        if !FileManager.default.fileExists(atPath: sqlLink.path) {
            try FileManager.default.createSymbolicLink(
                at: sqlLink, withDestinationURL: repository.appendingPathComponent("pipelines/sql"))
        }

        let database = try BenchDatabase(adminURL: adminURL, prefix: "chainetl_bench_nightly")
        defer { database.drop() }

        let key = "bench-nightly-\(UInt64.random(in: 0...UInt64.max))"
        let quiet = Logger(label: "chainetl.bench.nightly") { _ in SwiftLogNoOpLogHandler() }
        let server = try SimulatorServer(
            configuration: SimulatorConfiguration(
                generator: GeneratorConfiguration(seed: Self.seed), apiKey: key, ratePerSecond: Self.perSecond,
                faultRate: Self.faultRate, latencyMilliseconds: Self.latencyMilliseconds),
            logger: quiet)
        try server.start()
        defer { server.stop() }

        let lastDay = Self.firstDay.advanced(by: Self.days - 1)
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = database.url
        environment["ETHERSCAN_API_KEY"] = key
        environment["ETHERSCAN_BASE_URL"] = "\(server.baseURL)/v2/api"
        environment["ETHERSCAN_PER_SECOND"] = String(Self.perSecond)
        environment["CHAINETL_SCHEMAS"] = repository.appendingPathComponent("schemas").path
        let arguments = [
            "run", pipelineFile.path, "--from", "\(Self.firstDay)", "--to", "\(lastDay)", "--workdir", workdir.path,
            "--jobs", "2", "--log-format", "json",
        ]
        let started = ContinuousClock.now
        let exitCode = try Self.spawn(binary, arguments, environment: environment, logs: workdir)
        let wall = ContinuousClock.now - started
        guard exitCode == 0 else {
            throw BenchError.mismatch(
                "chainetl run exited \(exitCode); see \(workdir.appendingPathComponent("run.stderr").path) "
                    + "(pass --keep to keep it)")
        }

        let stats = server.stats
        let limit = Double(Self.perSecond)
        let span = stats.requestSpanSeconds
        let share = span > 0 ? Double(stats.requests) / span / limit : .nan
        let throttled = stats.requests > 0 ? Double(stats.throttled) / Double(stats.requests) * 100 : 0
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let (calls, lowerBound) = try Self.extractCalls(workdir: workdir)
        let mismatches = try Self.compareWithTruth(database, from: Self.firstDay, to: lastDay)
        guard mismatches.isEmpty else {
            throw BenchError.mismatch(
                "loaded data differs from the ground truth: " + mismatches.joined(separator: "; "))
        }

        let label = "nightly \(Self.latencyMilliseconds) ms"
        var rows: [BenchMeasure] = [
            BenchMeasure(
                measure: "nightly setup",
                value: "pipelines/nightly.yaml, \(Self.days) days × 2 chains (4 + 2 tokens), \(Self.perSecond)/s key, "
                    + "\(Self.latencyMilliseconds) ms answers, \(Int(Self.faultRate * 100)) % faults, jobs 2"),
            BenchMeasure(
                measure: "\(label) calls",
                value: "\(stats.requests) over \(BenchFormat.number(span)) s (\(stats.faultsInjected) faulted)"),
            .rate("\(label) calls/s ÷ limit", share, baseline: 0.90, label: "issue 15 target"),
            .rate("\(label) throttled %", throttled, baseline: 1, label: "issue 15 max"),
        ]
        if let lowerBound, lowerBound > 0 {
            rows.append(
                .rate(
                    "\(label) calls ÷ lower bound", Double(calls) / Double(lowerBound), baseline: 1.10,
                    label: "issue 15 max"))
        } else {
            rows.append(BenchMeasure(measure: "\(label) calls ÷ lower bound", value: "n/a"))
        }
        rows.append(
            .rate("\(label) wall s", wallSeconds, baseline: Double(stats.requests) / limit, label: "calls ÷ rate"))
        rows.append(
            BenchMeasure(
                measure: "\(label) transfers and aggregates vs truth",
                value: "exact (\(Self.comparedTables.count) tables)"))
        return rows
    }

    /// `nightly.yaml` with each chain's token lines replaced by the simulator's stand-ins.
    static func simulatorTokens(in source: String) throws -> String {
        var output: [Substring] = []
        var chain: String?
        var tokenIndex = 0
        var replaced: [String: Int] = [:]
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  ") && !line.hasPrefix("   ") && line.hasSuffix(":") {
                chain = String(line.dropFirst(2).dropLast())
                tokenIndex = 0
            } else if !line.hasPrefix(" ") && !line.isEmpty && !line.hasPrefix("#") {
                chain = nil
            }
            if let chain, let standIn = standIns[chain], line.hasPrefix("      - { address: ") {
                guard tokenIndex < standIn.symbols.count else {
                    throw BenchError.mismatch("pipelines/nightly.yaml has more \(chain) tokens than the bench maps")
                }
                let symbol = standIn.symbols[tokenIndex]
                guard
                    let token = SimulatedChain.tokens(chainID: standIn.chainID).first(where: { $0.symbol == symbol })
                else { throw BenchError.mismatch("the simulator has no \(symbol) on chain \(standIn.chainID)") }
                output.append(
                    "      - { address: \"\(token.address)\", symbol: \(symbol), decimals: \(token.decimals) }")
                tokenIndex += 1
                replaced[chain] = tokenIndex
                continue
            }
            output.append(line)
        }
        for (chain, standIn) in standIns where replaced[chain] != standIn.symbols.count {
            throw BenchError.mismatch(
                "pipelines/nightly.yaml lists \(replaced[chain] ?? 0) \(chain) tokens; the bench maps \(standIn.symbols.count)"
            )
        }
        return output.joined(separator: "\n")
    }

    /// Runs `binary` to its end with stdout and stderr in files under `logs`; its exit status.
    static func spawn(_ binary: URL, _ arguments: [String], environment: [String: String], logs: URL) throws -> Int32 {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = logs
        let stdout = logs.appendingPathComponent("run.stdout")
        let stderr = logs.appendingPathComponent("run.stderr")
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Calls and their lower bound from the run's JSON report (`extract_calls`).
    static func extractCalls(workdir: URL) throws -> (calls: Int, lowerBound: Int?) {
        let runs = workdir.appendingPathComponent("runs", isDirectory: true)
        let reports = try FileManager.default.contentsOfDirectory(atPath: runs.path).filter { $0.hasSuffix(".json") }
        guard reports.count == 1, let report = reports.first else {
            throw BenchError.mismatch("expected one run report in \(runs.path), found \(reports.count)")
        }
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: runs.appendingPathComponent(report)))
        guard
            let stages = ((object as? [String: Any])?["extract_calls"] as? [String: Any])?["stages"] as? [[String: Any]]
        else { throw BenchError.mismatch("the run report has no extract_calls") }
        var calls = 0
        var lowerBound: Int?
        for stage in stages {
            guard let bound = stage["lower_bound"] as? Int else { continue }
            lowerBound = (lowerBound ?? 0) + bound
            calls += stage["calls_with_lower_bound"] as? Int ?? 0
        }
        return (calls, lowerBound)
    }

    static let comparedTables = [
        "transfers", "daily_token_volume", "daily_address_volume", "hourly_token_volume", "holder_balances",
        "token_holder_counts", "token_summary",
    ]

    /// The tables whose rows differ from the ground truth of the nightly's tokens, each with its
    /// missing and unexpected counts; empty when every row matches.
    static func compareWithTruth(_ database: BenchDatabase, from: PartitionDay, to: PartitionDay) throws -> [String] {
        let truths = try standIns.values.sorted { $0.chainID < $1.chainID }.map { standIn in
            let tokens = standIn.symbols.compactMap { symbol in
                SimulatedChain.tokens(chainID: standIn.chainID).first { $0.symbol == symbol }?.address
            }
            return try GroundTruth.compute(
                seed: seed, chainID: standIn.chainID, tokens: tokens, from: from, to: to, includeTransfers: true)
        }
        func iso(_ column: String) -> String {
            "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        }
        var expected: [String: [String]] = [:]
        var loaded: [String: [String]] = [:]
        loaded["transfers"] = try database.strings("SELECT encode(transfer_id, 'hex') FROM transfers")
        expected["transfers"] = truths.flatMap { $0.transfers?.map(\.transferID) ?? [] }
        loaded["daily_token_volume"] = try database.strings(
            """
            SELECT concat_ws('|', chain_id, token_address, day, transfer_count, volume_raw, unique_senders,
                             unique_receivers, mint_count, mint_raw, burn_count, burn_raw,
                             all_transfer_count, all_value_raw)
            FROM daily_token_volume
            """)
        expected["daily_token_volume"] = truths.flatMap { truth in
            truth.daily.map {
                [
                    "\(truth.chainID)", $0.tokenAddress, "\($0.day)", "\($0.transferCount)", $0.volumeRaw,
                    "\($0.uniqueSenders)", "\($0.uniqueReceivers)", "\($0.mintCount)", $0.mintRaw,
                    "\($0.burnCount)", $0.burnRaw, "\($0.allTransferCount)", $0.allValueRaw,
                ].joined(separator: "|")
            }
        }
        loaded["daily_address_volume"] = try database.strings(
            """
            SELECT concat_ws('|', chain_id, token_address, address, day, sent_raw, received_raw,
                             sent_count, received_count)
            FROM daily_address_volume
            """)
        expected["daily_address_volume"] = truths.flatMap { truth in
            truth.dailyAddress.map {
                [
                    "\(truth.chainID)", $0.tokenAddress, $0.address, "\($0.day)", $0.sentRaw, $0.receivedRaw,
                    "\($0.sentCount)", "\($0.receivedCount)",
                ].joined(separator: "|")
            }
        }
        loaded["hourly_token_volume"] = try database.strings(
            """
            SELECT concat_ws('|', chain_id, token_address, to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24'),
                             transfer_count, volume_raw)
            FROM hourly_token_volume
            """)
        expected["hourly_token_volume"] = truths.flatMap { truth in
            truth.hourly.map {
                let hour = $0.hour < 10 ? "0\($0.hour)" : "\($0.hour)"
                return "\(truth.chainID)|\($0.tokenAddress)|\($0.day) \(hour)|\($0.transferCount)|\($0.volumeRaw)"
            }
        }
        loaded["holder_balances"] = try database.strings(
            """
            SELECT concat_ws('|', chain_id, token_address, holder, balance_raw, \(iso("first_seen")),
                             \(iso("last_active")))
            FROM holder_balances
            """)
        expected["holder_balances"] = truths.flatMap { truth in
            truth.holders.map {
                "\(truth.chainID)|\($0.tokenAddress)|\($0.holder)|\($0.balanceRaw)|\($0.firstSeen)|\($0.lastActive)"
            }
        }
        loaded["token_holder_counts"] = try database.strings(
            "SELECT concat_ws('|', chain_id, token_address, holders) FROM token_holder_counts")
        expected["token_holder_counts"] = truths.flatMap { truth in
            truth.summary.map { "\(truth.chainID)|\($0.tokenAddress)|\($0.holders)" }
        }
        loaded["token_summary"] = try database.strings(
            """
            SELECT concat_ws('|', chain_id, token_address, as_of_day, volume_24h_raw, volume_7d_raw,
                             volume_30d_raw, volume_total_raw, transfers_24h, unique_senders_24h, holders,
                             supply_raw, \(iso("last_transfer_at")))
            FROM token_summary
            """)
        expected["token_summary"] = truths.flatMap { truth in
            truth.summary.map {
                [
                    "\(truth.chainID)", $0.tokenAddress, "\($0.asOf)", $0.volume24hRaw, $0.volume7dRaw,
                    $0.volume30dRaw, $0.volumeTotalRaw, "\($0.transfers24h)", "\($0.uniqueSenders24h)",
                    "\($0.holders)", $0.supplyRaw, $0.lastTransferAt ?? "null",
                ].joined(separator: "|")
            }
        }
        var mismatches: [String] = []
        for table in comparedTables {
            let rows = loaded[table] ?? []
            let truth = Set(expected[table] ?? [])
            let actual = Set(rows)
            if truth.isEmpty { mismatches.append("\(table): the truth is empty, so nothing is proved") }
            if rows.count != actual.count { mismatches.append("\(table): \(rows.count - actual.count) duplicate rows") }
            let missing = truth.subtracting(actual).count
            let unexpected = actual.subtracting(truth).count
            if missing > 0 || unexpected > 0 {
                mismatches.append("\(table): \(missing) missing, \(unexpected) unexpected of \(truth.count)")
            }
        }
        return mismatches
    }
}

/// A fresh database on the cluster of `DATABASE_URL` for one section, dropped at the end.
final class BenchDatabase {
    let name: String
    let url: String
    private let adminURL: String
    private let connection: PostgresConnection
    private static let logger = Logger(label: "chainetl.bench.database") { _ in SwiftLogNoOpLogHandler() }

    init(adminURL: String, prefix: String) throws {
        self.adminURL = adminURL
        let name = prefix + "_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        self.name = name
        let admin = try PostgresConnection.connect(
            url: adminURL, applicationName: "chainetl-bench", logger: Self.logger)
        defer { admin.close() }
        try admin.execute(SQLQuery(unsafeSQL: "CREATE DATABASE \(SQLIdentifier.quote(name))"))
        guard var components = URLComponents(string: adminURL),
            components.scheme == "postgresql" || components.scheme == "postgres"
        else { throw BenchError.usage("DATABASE_URL must be a postgresql:// URL for the nightly section") }
        components.path = "/" + name
        if let items = components.queryItems, items.contains(where: { $0.name == "dbname" }) {
            components.queryItems = items.map { $0.name == "dbname" ? URLQueryItem(name: "dbname", value: name) : $0 }
        }
        guard let url = components.string else { throw BenchError.usage("cannot rewrite DATABASE_URL") }
        self.url = url
        connection = try PostgresConnection.connect(url: url, applicationName: "chainetl-bench", logger: Self.logger)
    }

    /// The first column of every row of `sql` (NULL as the text `null`).
    func strings(_ sql: String) throws -> [String] {
        let rows = try connection.execute(SQLQuery(unsafeSQL: sql))
        return (0..<rows.count).map { rows.value(row: $0, column: 0) ?? "null" }
    }

    func drop() {
        connection.close()
        guard
            let admin = try? PostgresConnection.connect(
                url: adminURL, applicationName: "chainetl-bench", logger: Self.logger)
        else { return }
        defer { admin.close() }
        _ = try? admin.execute(SQLQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(SQLIdentifier.quote(name)) WITH (FORCE)"))
    }
}

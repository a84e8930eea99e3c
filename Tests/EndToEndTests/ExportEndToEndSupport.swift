import ChainETLCore
import ChainETLPostgres
import Foundation
import Logging
import Testing

/// A fresh database on the `DATABASE_URL` server, dropped when the value goes away.
final class ExportE2EDatabase {
    let name: String
    let url: String
    private let serverURL: String
    private static let logger = Logger(label: "chainetl.tests", factory: { _ in SwiftLogNoOpLogHandler() })

    init(prefix: String) throws {
        serverURL = try #require(
            ProcessInfo.processInfo.environment["DATABASE_URL"],
            "DATABASE_URL is not set: run the suite with `make test`")
        name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        url = serverURL + (serverURL.contains("?") ? "&" : "?") + "dbname=\(name)"
        let admin = try PostgresConnection.connect(
            url: serverURL, applicationName: "chainetl tests", logger: Self.logger)
        defer { admin.close() }
        try admin.execute(SQLQuery(unsafeSQL: "CREATE DATABASE \(SQLIdentifier.quote(name))"))
    }

    deinit {
        if let admin = try? PostgresConnection.connect(
            url: serverURL, applicationName: "chainetl tests", logger: Self.logger)
        {
            _ = try? admin.execute(
                SQLQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(SQLIdentifier.quote(name)) WITH (FORCE)"))
            admin.close()
        }
    }

    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try PostgresConnection.connect(
            url: url, applicationName: "chainetl tests", logger: Self.logger)
        defer { connection.close() }
        return try body(connection)
    }

    static func rows(_ connection: PostgresConnection, _ sql: String) throws -> [[String?]] {
        let result = try connection.execute(SQLQuery(unsafeSQL: sql))
        return (0..<result.count).map { row in (0..<result.columnNames.count).map { result.value(row: row, column: $0) }
        }
    }
}

/// A pipeline running the shipped aggregate SQL files with `sql` stages, then `export`.
struct ExportE2EPipeline {
    let root: URL
    let name: String
    let file: URL
    let workdir: URL

    init() throws {
        name = "e2e_export_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        root = FileManager.default.temporaryDirectory.appendingPathComponent("chainetl-\(name)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        file = root.appendingPathComponent("\(name).yaml")
        workdir = root.appendingPathComponent("work")
        let sql = ChainETLProcess.packageRoot.appendingPathComponent("pipelines/sql").path
        func stage(_ id: String, needs: [String]) -> String {
            """
              - id: \(id)
                uses: sql
                needs: [\(needs.joined(separator: ", "))]
                with: { file: "\(sql)/\(id).sql" }

            """
        }
        let yaml = """
            version: 1
            name: \(name)
            chains:
              ethereum:
                chain_id: 1
                explorer: etherscan
                base_url: https://api.etherscan.io/v2/api
                api_key_env: ETHERSCAN_API_KEY
                rate_limit: { per_second: 5 }
                confirmations: 12
              polygon:
                chain_id: 137
                explorer: blockscout
                base_url: https://polygon.blockscout.com/api
                rate_limit: { per_second: 5 }
                confirmations: 64
            stages:
            \(stage("token_metadata", needs: []))\
            \(stage("daily_token_volume", needs: ["token_metadata"]))\
            \(stage("daily_address_volume", needs: ["daily_token_volume"]))\
            \(stage("hourly_token_volume", needs: ["daily_token_volume"]))\
            \(stage("holder_balances", needs: ["daily_token_volume"]))\
            \(stage("token_summary", needs: ["daily_address_volume", "hourly_token_volume", "holder_balances"]))\
              - id: export
                uses: export
                needs: [token_summary]
                with:
                  summaries: [\(ExportEndToEndTests.summaries.joined(separator: ", "))]
                  sql_dir: "\(sql)/export"

            """
        try yaml.write(to: file, atomically: true, encoding: .utf8)
    }

    func environment(databaseURL: String) -> [String: String] {
        [
            "DATABASE_URL": databaseURL,
            "CHAINETL_SCHEMAS": ChainETLProcess.packageRoot.appendingPathComponent("schemas").path,
        ]
    }

    func run(_ extra: [String], environment: [String: String]) throws -> ChainETLProcess.Output {
        try ChainETLProcess.run(
            ["run", file.path, "--workdir", workdir.path, "--log-format", "text"] + extra, environment: environment)
    }

    func bundle(_ day: PartitionDay) -> URL {
        workdir.appendingPathComponent("exports/\(name)/\(day)", isDirectory: true)
    }
}

/// Deterministic transfers for the aggregate SQL, plus attribution and execution rows.
enum ExportE2EData {
    static let zero = "0x" + String(repeating: "0", count: 40)
    static let maxUInt256 = "115792089237316195423570985008687907853269984665640564039457584007913129639935"

    struct Token {
        var chainID: Int
        var address: String
        var symbol: String?
        var name: String?
        var decimals: Int?
    }

    static let tokens = [
        Token(
            chainID: 1, address: "0x" + String(repeating: "a0", count: 20), symbol: "USDC", name: "USD Coin",
            decimals: 6),
        Token(
            chainID: 1, address: "0x" + String(repeating: "b1", count: 20), symbol: "W,\"ETH\"",
            name: "Wrapped \"Ether\",\nsecond line", decimals: 18),
        Token(
            chainID: 137, address: "0x" + String(repeating: "c2", count: 20), symbol: "NA", name: "Ünïcødé 🚀 token",
            decimals: nil),
        // Hostile text (issue 20 item 5): a formula, markup, and a name already starting with the
        // spreadsheet escape before a trigger, which must round-trip exactly too.
        Token(
            chainID: 137, address: "0x" + String(repeating: "d3", count: 20), symbol: "<script>",
            name: "=HYPERLINK(\"x\",\"y\")", decimals: 6),
        Token(
            chainID: 1, address: "0x" + String(repeating: "e4", count: 20), symbol: "+1'", name: "'-2\t@SUM(A1)",
            decimals: 18),
    ]

    static func load(into connection: PostgresConnection, days: [PartitionDay], pipeline: String) throws {
        try connection.execute(SQLQuery("SELECT chainetl_ensure_transfer_partition($1)", [days[0].start]))
        let addresses = (1...6).map { "0x" + String(repeating: "0", count: 39) + "\($0)" }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var copied = 0
        copied = try connection.copyIn(
            SQLQuery(
                unsafeSQL: """
                    COPY transfers (transfer_id, chain_id, block_number, block_time, block_hash, tx_hash, log_index,
                        occurrence, token_address, from_address, to_address, value, token_symbol, token_name,
                        token_decimals, source, pipeline) FROM STDIN
                    """)
        ) { writer in
            for (dayIndex, day) in days.enumerated() {
                for (tokenIndex, token) in tokens.enumerated() {
                    for i in 0..<30 {
                        var from = addresses[(i * 7 + dayIndex) % addresses.count]
                        var to = addresses[(i * 3 + 1 + dayIndex + tokenIndex) % addresses.count]
                        if i % 10 == 0 { from = zero }
                        if i % 13 == 7 { to = zero }
                        if i % 11 == 3 { to = from }
                        let value = Self.value(token: tokenIndex, day: dayIndex, index: i)
                        let txHash =
                            "0x" + String(repeating: "0", count: 52)
                            + String(format: "%012x", tokenIndex * 1_000_000 + dayIndex * 1_000 + i)
                        let identity = TransferIdentity(
                            chainID: token.chainID, txHash: txHash, tokenAddress: token.address, fromAddress: from,
                            toAddress: to, value: value, occurrence: 0)
                        writer.appendField("\\x" + LowercaseHex.text(identity.digest))
                        writer.appendField(token.chainID)
                        writer.appendField(1_000_000 * token.chainID + dayIndex * 7_200 + i * 10)
                        writer.appendField(
                            formatter.string(from: day.start.addingTimeInterval(TimeInterval(i * 2_800 + tokenIndex))))
                        writer.appendNull()
                        writer.appendField(txHash)
                        writer.appendField(i)
                        writer.appendField(0)
                        writer.appendField(token.address)
                        writer.appendField(from)
                        writer.appendField(to)
                        writer.appendField(value)
                        if let symbol = token.symbol { writer.appendField(symbol) } else { writer.appendNull() }
                        if let name = token.name { writer.appendField(name) } else { writer.appendNull() }
                        if let decimals = token.decimals { writer.appendField(decimals) } else { writer.appendNull() }
                        writer.appendField("etherscan-logs")
                        writer.appendField(pipeline)
                        try writer.endRow()
                    }
                }
            }
        }
        #expect(copied == days.count * tokens.count * 30)

        try connection.execute(
            SQLQuery(
                unsafeSQL: """
                    INSERT INTO entities (entity_id, name, kind) VALUES
                        ('acme', 'Acme, "Inc."', 'exchange'), ('beta', E'Beta\\nFund', 'fund')
                    """))
        for (dayIndex, day) in days.enumerated() {
            try connection.execute(
                SQLQuery(
                    """
                    INSERT INTO entity_daily_volume VALUES
                        ('acme', 1, $2, $1::date, $3::numeric, 5, 2, 1, 2, 'stack'),
                        ('beta', 137, $4, $1::date, 0, $3::numeric, 0, 3, 1, 'dedupe')
                    """, ["\(day)", tokens[0].address, maxUInt256, tokens[2].address]))
            try connection.execute(
                SQLQuery(
                    """
                    INSERT INTO execution_daily_volume VALUES
                        ('venue-1', 'alice', $1::date, $2::numeric, 3),
                        ('venue-1', 'bob, "the trader"', $1::date, 0.000000000000000001, 1)
                    """, ["\(day)", "12345678901234567890.\(dayIndex)5"]))
        }
    }

    /// Raw values: small ones, 18-decimal ones, ones above 2^64, and one uint256 maximum.
    static func value(token: Int, day: Int, index: Int) -> String {
        switch token {
        case 0:
            return index == 5 && day == 3 ? maxUInt256 : "\((index + 1) * 1_000_000 + day * 7)"
        case 1:
            return "\(index + 1)\(String(format: "%018d", day * 1_000 + index))"
        default:
            let base = UInt256(decimal: "18446744073709551616")!  // 2^64
            return base.addingReportingOverflow(UInt256(UInt64(index * 1_000 + day))).partialValue.description
        }
    }
}

/// What the database returns for an export query, as Postgres text (TimeZone UTC).
struct ExportE2ETruth {
    var columns: [String]
    var rows: [[String?]]

    static func load(_ names: [String], day: PartitionDay, pipeline: String, connection: PostgresConnection) throws
        -> [String: ExportE2ETruth]
    {
        try connection.execute(SQLQuery(unsafeSQL: "SET TimeZone TO 'UTC'"))
        var truths: [String: ExportE2ETruth] = [:]
        for name in names {
            let sql = try String(
                contentsOf: ExportEndToEndTests.exportSQL.appendingPathComponent("\(name).sql"), encoding: .utf8)
            let result = try connection.execute(
                SQLQuery(
                    sql, [day.start, day.end, "\(day)", pipeline], types: [.timestamptz, .timestamptz, .date, .text]))
            truths[name] = ExportE2ETruth(
                columns: result.columnNames,
                rows: (0..<result.count).map { row in
                    (0..<result.columnNames.count).map { result.value(row: row, column: $0) }
                })
        }
        return truths
    }

    static func write(_ truths: [String: ExportE2ETruth], to file: URL) throws {
        var summaries: [String: Any] = [:]
        for (name, truth) in truths {
            summaries[name] = [
                "columns": truth.columns,
                "rows": truth.rows.map { $0.map { $0.map { $0 as Any } ?? NSNull() } },
            ]
        }
        let data = try JSONSerialization.data(withJSONObject: ["summaries": summaries], options: [.sortedKeys])
        try data.write(to: file)
    }
}

import ChainETLCore
import ChainETLPostgres
import Foundation
import Logging
import Testing

@testable import ChainETLStages

/// A private schema on the test server (DATABASE_URL from `.ci/with-postgres`) with the ledger,
/// `transfers` and the load ledger migration applied, so load tests run in parallel.
final class LoadTestDatabase {
    let connection: PostgresConnection
    let schema: String

    init() throws {
        connection = try Self.connect()
        schema = "load_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try connection.execute(SQLQuery(unsafeSQL: "CREATE SCHEMA \(SQLIdentifier.quote(schema))"))
        try Self.use(schema, on: connection)
        for file in ["0001_ledger.sql", "0002_transfers.sql", "0007_load_ledger.sql"] {
            let sql = try String(contentsOf: Self.schemasDirectory.appendingPathComponent(file), encoding: .utf8)
            try connection.executeScript(unsafeSQL: sql)
        }
    }

    deinit {
        if !connection.isClosed {
            _ = try? connection.execute(SQLQuery(unsafeSQL: "DROP SCHEMA \(SQLIdentifier.quote(schema)) CASCADE"))
        }
        connection.close()
    }

    static let schemasDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schemas", isDirectory: true)

    static var logger: Logger {
        var logger = Logger(label: "chainetl.load.tests")
        logger.logLevel = .warning
        return logger
    }

    static func connect() throws -> PostgresConnection {
        let url = try #require(
            ProcessInfo.processInfo.environment["DATABASE_URL"],
            "DATABASE_URL is not set: run the tests through .ci/with-postgres or make test")
        return try PostgresConnection.connect(url: url, applicationName: "chainetl-load-test", logger: logger)
    }

    static func use(_ schema: String, on connection: PostgresConnection) throws {
        try connection.execute(SQLQuery(unsafeSQL: "SET search_path TO \(SQLIdentifier.quote(schema))"))
    }

    /// A second connection in the same schema (for concurrent loads and for killing a backend).
    func secondConnection() throws -> PostgresConnection {
        let other = try Self.connect()
        try Self.use(schema, on: other)
        return other
    }

    func loader() -> TransferLoader {
        TransferLoader(connection: connection, logger: Self.logger)
    }

    /// Every value of the first column of `sql`'s rows.
    func column(_ sql: String, _ bindings: [(any PostgresBindable)?] = []) throws -> [String?] {
        let rows = try connection.execute(SQLQuery(sql, bindings))
        return (0..<rows.count).map { rows.value(row: $0, column: 0) }
    }

    func count(_ sql: String, _ bindings: [(any PostgresBindable)?] = []) throws -> Int {
        let rows = try connection.execute(SQLQuery(sql, bindings))
        return try #require(try rows.int(row: 0, column: 0))
    }

    /// The stored rows of `pipeline` as comparable text: id, block time, value, symbol, name, source.
    func storedTransfers(pipeline: String? = nil) throws -> [String] {
        let rows = try connection.execute(
            SQLQuery(
                """
                SELECT concat_ws('|', encode(transfer_id, 'hex'), chain_id, block_number,
                       to_char(block_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), block_hash, tx_hash,
                       log_index, occurrence, token_address, from_address, to_address, value, token_symbol,
                       token_name, token_decimals, source)
                FROM transfers WHERE $1::text IS NULL OR pipeline = $1 ORDER BY 1
                """, [pipeline]))
        return (0..<rows.count).compactMap { rows.value(row: $0, column: 0) }
    }
}

/// One canonical transfer record for tests, written exactly as normalize writes it.
struct LoadFixtureTransfer: Hashable {
    var chainID = 1
    var blockNumber = 21_000_000
    var blockTime = "2026-11-20T10:00:00Z"
    var blockHash: String? = "0x" + String(repeating: "b", count: 64)
    var txHash = "0x" + String(repeating: "1", count: 64)
    var logIndex: Int? = 0
    var occurrence = 0
    var tokenAddress = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
    var fromAddress = "0x" + String(repeating: "f", count: 40)
    var toAddress = "0x" + String(repeating: "e", count: 40)
    var value = "1000000"
    var tokenSymbol: String? = "USDC"
    var tokenName: String? = "USD Coin"
    var tokenDecimals: Int? = 6
    var source = "etherscan-logs"

    /// The n-th distinct transfer of a day (different transaction, log and value).
    static func number(_ index: Int, chainID: Int = 1, day: String = "2026-11-20") -> LoadFixtureTransfer {
        var transfer = LoadFixtureTransfer()
        transfer.chainID = chainID
        transfer.blockNumber = 21_000_000 + index
        transfer.blockTime = "\(day)T\(String(format: "%02d", index % 24)):00:\(String(format: "%02d", index % 60))Z"
        transfer.txHash = "0x" + String(format: "%064x", index + 1)
        transfer.logIndex = index
        transfer.value = "\(1_000 + index)"
        return transfer
    }

    var transferID: String {
        TransferIdentity(
            chainID: chainID, txHash: txHash, tokenAddress: tokenAddress, fromAddress: fromAddress,
            toAddress: toAddress, value: value, occurrence: occurrence
        ).transferID
    }

    /// The NDJSON line without its newline.
    var line: [UInt8] {
        var writer = JSONLineWriter()
        writer.beginObject()
        writer.key("transfer_id")
        writer.string(transferID)
        writer.key("chain_id")
        writer.int(chainID)
        writer.key("block_number")
        writer.int(blockNumber)
        writer.key("block_time")
        writer.string(blockTime)
        writer.key("block_hash")
        if let blockHash { writer.string(blockHash) } else { writer.null() }
        writer.key("tx_hash")
        writer.string(txHash)
        writer.key("log_index")
        if let logIndex { writer.int(logIndex) } else { writer.null() }
        writer.key("occurrence")
        writer.int(occurrence)
        writer.key("token_address")
        writer.string(tokenAddress)
        writer.key("from_address")
        writer.string(fromAddress)
        writer.key("to_address")
        writer.string(toAddress)
        writer.key("value")
        writer.string(value)
        writer.key("token_symbol")
        if let tokenSymbol { writer.string(tokenSymbol) } else { writer.null() }
        writer.key("token_name")
        if let tokenName { writer.string(tokenName) } else { writer.null() }
        writer.key("token_decimals")
        if let tokenDecimals { writer.int(tokenDecimals) } else { writer.null() }
        writer.key("source")
        writer.string(source)
        writer.endObject()
        return writer.bytes
    }

    /// What `LoadTestDatabase.storedTransfers` shows for this record (NULs become U+FFFD).
    var stored: String {
        let parts: [String?] = [
            transferID, "\(chainID)", "\(blockNumber)", blockTime, blockHash, txHash, logIndex.map(String.init),
            "\(occurrence)", tokenAddress, fromAddress, toAddress, value, tokenSymbol.map(Self.withoutNUL),
            tokenName.map(Self.withoutNUL), tokenDecimals.map(String.init), source,
        ]
        return parts.compactMap { $0 }.joined(separator: "|")
    }

    private static func withoutNUL(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
    }
}

/// Feeds lines to a loader, counting how often it was read; can fail or act after a given line.
final class LoadFixtureLines {
    let lines: [[UInt8]]
    private(set) var passes = 0
    /// Called before line `n` (1-based) is handed out; may throw to abort the load.
    var beforeLine: ((Int) throws -> Void)?

    init(_ transfers: [LoadFixtureTransfer]) {
        lines = transfers.map(\.line)
    }

    init(lines: [[UInt8]]) {
        self.lines = lines
    }

    func source(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        passes += 1
        for (index, line) in lines.enumerated() {
            try beforeLine?(index + 1)
            try line.withUnsafeBytes { try body($0) }
        }
    }
}

/// A failure injected by a test.
struct LoadInjectedFailure: Error {}

extension TransferLoadRequest {
    /// A request for the test day 2026-11-20 with a made-up manifest hash.
    static func fixture(
        pipeline: String = "demo", stage: String = "load", manifestHash: String = "hash-1", totalRows: Int,
        chainIDs: [Int] = [1]
    ) -> TransferLoadRequest {
        TransferLoadRequest(
            pipeline: pipeline, partition: PartitionDay("2026-11-20")!, stage: stage, source: "dedupe",
            manifestHash: manifestHash, totalRows: totalRows, chainIDs: chainIDs)
    }
}

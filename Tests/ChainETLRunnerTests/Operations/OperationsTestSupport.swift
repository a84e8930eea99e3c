import ChainETLCore
import ChainETLPostgres
import ChainETLRunner
import Foundation
import Logging
import Testing

/// A private schema in the test database (DATABASE_URL from `.ci/with-postgres`), migrated with the
/// repository's `schemas/`, so status tests see only the ledger rows they insert.
final class OperationsDatabase {
    let connection: PostgresConnection
    let schema: String

    init() throws {
        let url = try #require(
            ProcessInfo.processInfo.environment["DATABASE_URL"],
            "DATABASE_URL is not set: run the suite with `make test` or `.ci/with-postgres -- swift test`")
        connection = try PostgresConnection.connect(url: url, applicationName: "ops test", logger: Self.quietLogger)
        schema = "ops_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try connection.execute(SQLQuery(unsafeSQL: "CREATE SCHEMA \(schema)"))
        try connection.execute(SQLQuery(unsafeSQL: "SET search_path TO \(schema)"))
        try Migrator(directory: Self.schemas).migrate(connection)
        if try !exists("transfers") {
            // Before schemas/0002_transfers.sql is on this branch: the three columns status reads.
            try connection.execute(
                SQLQuery(
                    unsafeSQL:
                        "CREATE TABLE transfers (chain_id bigint NOT NULL, block_number bigint NOT NULL, block_time timestamptz NOT NULL)"
                ))
        }
    }

    deinit {
        _ = try? connection.execute(SQLQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
        connection.close()
    }

    static let quietLogger = Logger(label: "ops-test") { _ in SwiftLogNoOpLogHandler() }

    /// The repository's `schemas/`, found from this source file.
    static var schemas: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                "schemas", isDirectory: true)
    }

    func exists(_ table: String) throws -> Bool {
        try connection.execute(SQLQuery("SELECT to_regclass($1) IS NOT NULL", [table])).bool(row: 0, column: 0) == true
    }

    /// Inserts one loaded transfer (only the columns status reads, plus what the real table requires).
    func insertTransfer(chainID: Int, block: Int, time: Date, index: Int = 0) throws {
        let columns = try connection.execute(
            SQLQuery(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'transfers'",
                [schema]))
        if try columns.int(row: 0, column: 0) == 3 {
            try connection.execute(
                SQLQuery(
                    "INSERT INTO transfers (chain_id, block_number, block_time) VALUES ($1, $2, $3)",
                    [chainID, block, time]))
            return
        }
        try connection.execute(SQLQuery("SELECT chainetl_ensure_transfer_partition($1)", [time]))
        let hex = String(format: "%032x", block * 1000 + index)
        try connection.execute(
            SQLQuery(
                """
                INSERT INTO transfers (transfer_id, chain_id, block_number, block_time, tx_hash, occurrence, token_address,
                  from_address, to_address, value, source, pipeline)
                VALUES (decode($1, 'hex'), $2, $3, $4, $5, 0, $6, $6, $6, 1, 'etherscan-logs', 'test')
                """,
                [
                    hex, chainID, block, time, "0x" + String(repeating: "a", count: 64),
                    "0x" + String(repeating: "b", count: 40),
                ]))
    }

    /// Inserts a finished `etl_stage_runs` row.
    func insertStageRun(
        run: String, pipeline: String, partition: String, stage: String, status: String, at: Date,
        error: String? = nil
    ) throws {
        try connection.execute(
            SQLQuery(
                """
                INSERT INTO etl_stage_runs (run_id, pipeline, partition, stage, status, started_at, finished_at, duration_ms, error)
                VALUES ($1, $2, $3::date, $4, $5, $6, $6, 10, $7)
                """, [run, pipeline, partition, stage, status, at, error]))
    }

    func insertRun(id: String, pipeline: String, status: String, finished: Date) throws {
        try connection.execute(
            SQLQuery(
                "INSERT INTO etl_runs (id, pipeline, status, started_at, finished_at) VALUES ($1, $2, $3, $4, $4)",
                [id, pipeline, status, finished]))
    }
}

/// A chain head source that answers from a table, or fails like an unreachable explorer.
struct ScriptedHeads: ChainHeadSource {
    var heads: [Int: Int]

    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "connection refused" }
    }

    func headBlock(of chain: ChainSpec) throws -> Int {
        guard let head = heads[chain.chainID] else { throw Unreachable() }
        return head
    }
}

enum OperationsFixtures {
    static let location = ChainETLCore.SourceLocation(file: "status.yaml", line: 1, column: 1)

    /// `nightly` with chains ethereum (1, key in ETH_KEY, 100 calls/day) and cronos (25), and
    /// stages extract-eth (chain: ethereum), extract-cro (chain: cronos) and aggregate (no chain).
    static func pipeline(name: String = "nightly") -> PipelineSpec {
        func chain(_ name: String, _ id: Int, perDay: Int?) -> ChainSpec {
            ChainSpec(
                name: name, chainID: id, explorer: .etherscan, baseURL: "http://127.0.0.1:1/v2/api",
                apiKeyEnv: "\(name.uppercased())_KEY", ratePerSecond: 5, ratePerDay: perDay, confirmations: 12,
                tokens: [], accounts: [], location: location)
        }
        func stage(_ id: String, chain: String?) -> StageSpec {
            let pairs: [(key: String, keyLocation: ChainETLCore.SourceLocation, value: ConfigNode)] =
                chain.map { [("chain", location, ConfigNode(value: .scalar($0), location: location))] } ?? []
            return StageSpec(
                id: id, kind: "test/emit", needs: [],
                parameters: ConfigNode(value: .mapping(pairs), location: location),
                location: location)
        }
        return PipelineSpec(
            name: name, file: URL(fileURLWithPath: "/tmp/\(name).yaml"), version: 1,
            chains: [chain("ethereum", 1, perDay: 100), chain("cronos", 25, perDay: nil)],
            stages: [
                stage("extract-eth", chain: "ethereum"), stage("extract-cro", chain: "cronos"),
                stage("aggregate", chain: nil),
            ])
    }
}

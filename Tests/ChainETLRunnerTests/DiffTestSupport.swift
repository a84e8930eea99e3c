import ChainETLCore
import ChainETLPostgres
import ChainETLStages
import ChainETLTestSupport
import Foundation
import Logging
import Testing

@testable import ChainETLRunner

/// `uses: test/lines`: writes the lines of a file (relative to the pipeline folder) as its
/// checkpoint, with the record schema given in `with: schema:`. The file's text is deliberately
/// not in the config hash, so editing it changes nothing until the stage is selected or forced
/// (or, for `raw-explorer-row/1`, marked for refetch).
struct LinesStage: Stage {
    static let kind = "test/lines"
    static var parameters: StageParameterSchema {
        StageParameterSchema(parameters: [
            StageParameter(name: "file", type: .string, required: true, description: "the lines to write"),
            StageParameter(name: "schema", type: .string, description: "the record schema (default test-row/1)"),
        ])
    }

    let file: URL
    let recordSchema: RecordSchema

    init(spec: StageSpec, pipeline: PipelineSpec) throws {
        file = pipeline.directory.appendingPathComponent(try spec.parameters.requiredString("file"))
        recordSchema = RecordSchema(try spec.parameters.string("schema") ?? "test-row/1")
    }

    func run(_ context: StageContext) throws -> StageOutcome {
        let output = try context.output
        let text = try String(contentsOf: file, encoding: .utf8)
        var rows = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            try Array(line.utf8).withUnsafeBytes { try output.append(line: $0) }
            rows += 1
        }
        return StageOutcome(counts: RowCounts(rowsIn: rows, rowsOut: rows))
    }
}

/// `uses: test/daily-volume`: sets one `daily_token_volume` row of the partition day from
/// `with: token, count, volume`, and snapshots the table like an aggregate stage.
struct DailyVolumeStage: DiffSnapshotting {
    static let kind = "test/daily-volume"
    static var parameters: StageParameterSchema {
        StageParameterSchema(parameters: [
            StageParameter(name: "token", type: .string, required: true, description: "token address"),
            StageParameter(name: "count", type: .integer, required: true, description: "transfer_count"),
            StageParameter(name: "volume", type: .string, required: true, description: "volume_raw"),
        ])
    }

    let token: String
    let count: Int
    let volume: String

    init(spec: StageSpec, pipeline: PipelineSpec) throws {
        token = try spec.parameters.requiredString("token")
        count = try spec.parameters.requiredInteger("count")
        volume = try spec.parameters.requiredString("volume")
    }

    var recordSchema: RecordSchema { "aggregate-result/1" }

    func run(_ context: StageContext) throws -> StageOutcome {
        let database = try context.database
        try database.transaction {
            try database.execute(
                SQLQuery(
                    "DELETE FROM daily_token_volume WHERE chain_id = 1 AND token_address = $1 AND day = $2::date",
                    [token, context.partition.description]))
            try database.execute(
                SQLQuery(
                    """
                    INSERT INTO daily_token_volume (chain_id, token_address, day, transfer_count, volume_raw,
                      unique_senders, unique_receivers, mint_count, mint_raw, burn_count, burn_raw,
                      all_transfer_count, all_value_raw, last_transfer_at)
                    VALUES (1, $1, $2::date, $3, $4::numeric, 1, 1, 0, 0, 0, 0, $3, $4::numeric, $5)
                    """, [token, context.partition.description, count, volume, context.partition.start]))
        }
        return StageOutcome(counts: RowCounts(rowsIn: 1, rowsOut: 1))
    }

    func diffSnapshot(_ context: StageContext) throws -> [String: String] {
        try DailyTokenVolumeSnapshot.take(context)
    }
}

/// Runs a `RunnerFixture` pipeline with the test stage kinds above added to the standard ones.
enum DiffRunner {
    static let registry = StageRegistry([
        SQLStage.self, ReconcileStage.self, TestEmitStage.self, TestFailStage.self, TestCopyStage.self,
        LinesStage.self, DailyVolumeStage.self,
    ])

    static func run(
        _ fixture: RunnerFixture, day: String = "2026-11-20", select: [String] = [], force: Bool = false,
        refetch: Bool = false, exampleLimit: Int = 20, partitions: PartitionRequest? = nil, now: Date = Date()
    ) throws -> (result: RunResult, stderr: String) {
        _ = FileManager.default.createFile(atPath: fixture.logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: fixture.logFile)
        defer { try? handle.close() }
        let output = TerminalOutput(handle: handle, drawsProgress: false)
        let console = RunConsole(output: output, format: .json, standardOutput: { _ in })
        let logger = Logger(label: "test") { _ in StderrLogHandler(format: .json, level: .info, output: output) }
        let request = RunRequest(
            pipelineFile: fixture.pipelineFile, partitions: partitions ?? .single(PartitionDay(day)!),
            selections: select,
            force: force, databaseURL: fixture.databaseURL, workdir: fixture.workdir,
            arguments: ["chainetl", "run", fixture.pipelineFile.path], refetch: refetch,
            diffExampleLimit: exampleLimit)
        let result = PipelineRunner(
            request: request, registry: registry, environment: ["CHAINETL_SCHEMAS": RunnerFixture.schemas],
            logger: logger, console: console, now: now
        ).run()
        return (result, try String(contentsOf: fixture.logFile, encoding: .utf8))
    }

    /// Writes `lines` to the pipeline folder's `name`.
    static func write(_ lines: [String], to name: String, in fixture: RunnerFixture) throws {
        let url = fixture.pipelineFile.deletingLastPathComponent().appendingPathComponent(name)
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    /// The `{"change":…,"id":…}` lines of a diff file, as change -> ids (in file order).
    static func diffFile(_ relative: String, in fixture: RunnerFixture) throws -> [String: [String]] {
        let reader = try GzipLineReader(path: fixture.workdir.appendingPathComponent(relative).path)
        var result: [String: [String]] = [:]
        while let line = try reader.nextLine() {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line)) as? [String: String])
            result[object["change"]!, default: []].append(object["id"]!)
        }
        return result
    }

    /// The unit report of `stage`.
    static func unit(_ result: RunResult, _ stage: String) throws -> UnitReport {
        try #require(result.report?.units.first { $0.stage == stage })
    }
}

/// Canonical `transfer/1` lines for tests.
enum TransferLines {
    /// A record with id `id` (32 hex) in block `block`; `symbol` lets a test change a field.
    static func line(id: String, block: Int, value: String = "1000", symbol: String = "USDC") -> String {
        """
        {"transfer_id":"\(id)","chain_id":1,"block_number":\(block),"block_time":"2026-11-20T00:00:\(String(format: "%02d", block % 60))Z","block_hash":null,"tx_hash":"0x\(String(repeating: "a", count: 32))\(id)","log_index":\(block),"occurrence":0,"token_address":"0x\(String(repeating: "1", count: 40))","from_address":"0x\(String(repeating: "2", count: 40))","to_address":"0x\(String(repeating: "3", count: 40))","value":"\(value)","token_symbol":"\(symbol)","token_name":null,"token_decimals":6,"source":"etherscan-logs"}
        """
    }

    /// `n` as a 32-hex-digit id.
    static func id(_ n: Int) -> String {
        let digits = String(n, radix: 16)
        return String(repeating: "0", count: 32 - digits.count) + digits
    }
}

import ChainETLCore
import ChainETLSimulator
import ChainETLTestSupport
import Foundation
import Logging
import Testing

@testable import ChainETLStages

/// Runs normalize and dedupe stages as the runner does, over raw checkpoints written by the test,
/// for a pipeline whose chains are the simulator's chains 1 (`ethereum`) and 25 (`cronos`) with
/// every simulated token tracked. No database: these stages only read and write checkpoints.
final class TransferStageHarness {
    let root: URL
    let workdir: URL
    let pipeline: PipelineSpec
    let events = EventLog()

    /// `stages` is the YAML list under `stages:`; raw inputs are declared as `test/emit` stages
    /// whose checkpoints `writeRaw` fills in.
    init(stages: String, chainIDs: [Int] = [1, 25]) throws {
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        root = FileManager.default.temporaryDirectory.appendingPathComponent("chainetl-transfers-\(suffix)")
        workdir = root.appendingPathComponent("work")
        let file = root.appendingPathComponent("pipelines/transfers.yaml")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        var yaml = "version: 1\nname: transfers\nchains:\n"
        for chainID in chainIDs {
            yaml += """
                  \(Self.chainName(chainID)):
                    chain_id: \(chainID)
                    explorer: etherscan
                    base_url: http://127.0.0.1:1/v2/api
                    rate_limit: { per_second: 5 }
                    confirmations: 12
                    tokens:

                """
            for token in SimulatedChain.tokens(chainID: chainID) {
                var entry = "      - { address: \"\(token.address)\""
                if token.symbol.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                    entry += ", symbol: \(token.symbol)"
                }
                if let decimals = token.decimalsValue { entry += ", decimals: \(decimals)" }
                yaml += entry + " }\n"
            }
        }
        yaml += "stages:\n" + stages
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        switch PipelineLoader.load(file: file, environment: [:], catalog: StageRegistry.withTestStages) {
        case .success(let spec): pipeline = spec
        case .failure(let diagnostics): throw diagnostics
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    static func chainName(_ chainID: Int) -> String {
        switch chainID {
        case 1: return "ethereum"
        case 25: return "cronos"
        default: return "chain\(chainID)"
        }
    }

    func location(_ id: String, _ day: PartitionDay) -> CheckpointLocation {
        CheckpointLocation(workdir: workdir, pipeline: pipeline.name, partition: day, stageID: id)
    }

    /// Commits `lines` as the raw checkpoint (`raw-explorer-row/1`) of stage `id`.
    @discardableResult
    func writeRaw(_ id: String, day: PartitionDay, lines: [[UInt8]], rowsPerPart: Int = 1_000_000) throws
        -> CheckpointManifest
    {
        let writer = try CheckpointWriter(
            location: location(id, day), kind: "extract/etherscan-logs", recordSchema: "raw-explorer-row/1",
            rowsPerPart: rowsPerPart)
        for line in lines { try line.withUnsafeBytes { try writer.append(line: $0) } }
        return try writer.commit(
            configHash: "test", inputs: [:], counts: RowCounts(rowsIn: lines.count, rowsOut: lines.count),
            startedAt: Date())
    }

    /// Builds stage `id` as the registry does.
    func stage(_ id: String) throws -> any Stage {
        try StageRegistry.withTestStages.makeStage(try #require(pipeline.stage(id: id)), pipeline: pipeline)
    }

    /// Runs stage `id` (or `stage`, when given) for `day` and commits its checkpoint, like the runner.
    @discardableResult
    func run(_ id: String, day: PartitionDay, stage given: (any Stage)? = nil) throws -> (
        outcome: StageOutcome, manifest: CheckpointManifest
    ) {
        let spec = try #require(pipeline.stage(id: id))
        let stage = try given ?? StageRegistry.withTestStages.makeStage(spec, pipeline: pipeline)
        var inputs: [String: CheckpointReader] = [:]
        for need in spec.needs { inputs[need] = try CheckpointReader.open(location(need, day)) }
        let location = location(id, day)
        let context = StageContext(
            pipeline: pipeline, spec: spec, configHash: StageConfigHash.of(stage, spec: spec, pipeline: pipeline),
            partition: day, workdir: workdir, runID: "test-run",
            logger: Logger(label: "chainetl.transfers.tests"), options: StageOptions(), eventSink: events,
            progressReporter: NoProgress(), services: ExtractionServices(), inputs: inputs, databaseURL: nil,
            makeOutput: { try CheckpointWriter(location: location, kind: spec.kind, recordSchema: stage.recordSchema) })
        do {
            let outcome = try stage.run(context)
            let manifest = try context.output.commit(
                configHash: StageConfigHash.of(stage, spec: spec, pipeline: pipeline),
                inputs: inputs.mapValues(\.manifest.contentHash), counts: outcome.counts, details: outcome.details,
                startedAt: Date())
            return (outcome, manifest)
        } catch {
            context.outputIfOpened?.discard()
            throw error
        }
    }

    /// The records of each part of stage `id`'s checkpoint, in order.
    func recordsByPart(_ id: String, day: PartitionDay) throws -> [[TransferRecord]] {
        let reader = try CheckpointReader.open(location(id, day), expecting: "transfer/1")
        return try reader.manifest.parts.map { part in
            let lines = try reader.lineReader(for: part)
            var records: [TransferRecord] = []
            while let line = try lines.nextLine() { records.append(try TransferRecord(parsing: line)) }
            return records
        }
    }

    /// Every record of stage `id`'s checkpoint, in file order.
    func records(_ id: String, day: PartitionDay) throws -> [TransferRecord] {
        try recordsByPart(id, day: day).flatMap { $0 }
    }

    /// The lines of a side file of stage `id`'s checkpoint.
    func sideFileLines(_ id: String, day: PartitionDay, name: String) throws -> [String] {
        var lines: [String] = []
        try CheckpointReader.open(location(id, day)).forEachLine(inSideFile: name) {
            lines.append(String(decoding: $0, as: UTF8.self))
        }
        return lines
    }
}

/// Collects the events stages record.
final class EventLog: StageEventSink, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [StageEvent] = []

    func record(_ event: StageEvent) {
        lock.lock()
        stored.append(event)
        lock.unlock()
    }

    var all: [StageEvent] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

private struct NoProgress: StageProgressReporting {
    func report(stageID: String, partition: PartitionDay, _ snapshot: ProgressSnapshot) {}
}

/// One simulated UTC day of one chain, and raw checkpoint lines built from it exactly as extract
/// writes them: per target, in ascending block (then log) order, one target after another.
struct SimulatedDay {
    /// What an extraction walks: a token contract (getLogs, tokentx by contract) or an account.
    enum Target {
        case token(String)
        case account(String)
    }

    let chainID: Int
    let day: PartitionDay
    let blocks: [SimulatedBlock]
    let head: Int
    let truth: GroundTruthReport

    init(chainID: Int, day: PartitionDay, seed: UInt64, transfersPerDay: Int) throws {
        self.chainID = chainID
        self.day = day
        let chain = try #require(SimulatedChain.chain(id: chainID))
        let generator = ChainGenerator(
            chain: chain, configuration: GeneratorConfiguration(seed: seed, transfersPerDay: transfersPerDay))
        let range = try #require(chain.blocks(on: day))
        blocks = range.map { generator.block($0) }.filter { !$0.logs.isEmpty }
        head = range.upperBound + 100
        truth = try GroundTruth.compute(
            seed: seed, chainID: chainID, from: day, to: day, transfersPerDay: transfersPerDay)
    }

    var tokens: [SimulatedToken] { SimulatedChain.tokens(chainID: chainID) }

    /// The raw lines of `format` for `targets`, in extract's order.
    func rawLines(_ format: ExplorerRowFormat, targets: [Target]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var row = JSONLineWriter(capacity: 4096)
        for target in targets {
            for block in blocks {
                for (position, log) in block.logs.enumerated() {
                    switch target {
                    case .token(let address) where log.tokenAddress != address: continue
                    case .account(let address) where log.fromAddress != address && log.toAddress != address: continue
                    default: break
                    }
                    row.reset()
                    guard block.writeExplorerRow(format, logAt: position, head: head, into: &row) else { continue }
                    lines.append(Self.envelope(format, chainID: chainID, target: target, block: block.number, row: row))
                }
            }
        }
        return lines
    }

    /// `{"source":…,"chain_id":…,"request":{…},"row":…}` as `RawExplorerRow.writeLine` writes it.
    static func envelope(
        _ format: ExplorerRowFormat, chainID: Int, target: Target, block: Int, row: JSONLineWriter
    ) -> [UInt8] {
        let endpoint = format == .etherscanLogs || format == .blockscoutLogs ? "logs/getLogs" : "account/tokentx"
        var text =
            "{\"source\":\"\(format.rawValue)\",\"chain_id\":\(chainID),\"request\":{\"endpoint\":\"\(endpoint)\""
        switch target {
        case .token(let address): text += ",\"contract\":\"\(address)\""
        case .account(let address): text += ",\"address\":\"\(address)\""
        }
        let window = block / 500 * 500
        text += ",\"from_block\":\(window),\"to_block\":\(window + 499),\"page\":1,\"offset\":1000"
        text += ",\"fetched_at\":\"2026-11-21T03:00:00Z\"},\"row\":"
        return Array(text.utf8) + row.bytes + Array("}".utf8)
    }

    /// The `count` accounts that appear in the most transfers of the day (excluding the zero address).
    func busiestAccounts(_ count: Int) -> [String] {
        var seen: [String: Int] = [:]
        for block in blocks {
            for log in block.logs where !log.isERC721 {
                seen[log.fromAddress, default: 0] += 1
                seen[log.toAddress, default: 0] += 1
            }
        }
        seen[SimulatedChain.zeroAddress] = nil
        return seen.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(count).map(\.key)
    }
}

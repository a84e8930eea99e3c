import ChainETLCore
import ChainETLSimulator
import ChainETLStages
import Foundation
import Logging

/// The raw checkpoints and pipeline the normalize and dedupe sections share: one simulated day of
/// chain 1 as getLogs rows per token and tokentx rows per token (the same transfers twice),
/// `rows` raw lines in all, written once as extract would (one target after another, each in
/// ascending block order), then run through the real stages exactly as the runner runs them.
///
/// `@unchecked Sendable`: `prepare` is the only mutation and runs before any concurrent `run`.
final class TransferStageBenchData: @unchecked Sendable {
    static let day = PartitionDay("2026-11-20")!
    let workdir: URL
    let pipeline: PipelineSpec
    private(set) var rawRows = 0
    private var prepared = false

    init(scratch: URL) {
        workdir = scratch.appendingPathComponent("stages", isDirectory: true)
        let location = SourceLocation(file: "bench.yaml", line: 1, column: 1)
        let chain = SimulatedChain.chain(id: 1)!
        let tokens = chain.tokens.map {
            TrackedToken(address: $0.address, symbol: $0.symbol, decimals: $0.decimalsValue)
        }
        func stage(_ id: String, _ kind: String, _ needs: [String]) -> StageSpec {
            StageSpec(
                id: id, kind: kind, needs: needs, parameters: ConfigNode(value: .null, location: location),
                location: location)
        }
        pipeline = PipelineSpec(
            name: "bench", file: workdir.appendingPathComponent("bench.yaml"), version: 1,
            chains: [
                ChainSpec(
                    name: "ethereum", chainID: 1, explorer: .etherscan, baseURL: "http://127.0.0.1:1/v2/api",
                    apiKeyEnv: nil, ratePerSecond: 5, ratePerDay: nil, confirmations: 12, tokens: tokens, accounts: [],
                    location: location)
            ],
            stages: [
                stage("extract_logs", "extract/etherscan-logs", []),
                stage("extract_tokentx", "extract/etherscan-tokentx", []),
                stage("normalize_logs", NormalizeStage.kind, ["extract_logs"]),
                stage("normalize_tokentx", NormalizeStage.kind, ["extract_tokentx"]),
                stage("dedupe", DedupeStage.kind, ["normalize_logs", "normalize_tokentx"]),
            ])
    }

    /// Writes the two raw checkpoints (once): about `rows` lines, half getLogs, half tokentx.
    func prepare(rows: Int) throws {
        guard !prepared else { return }
        let chain = SimulatedChain.chain(id: 1)!
        let tokens = chain.tokens
        // getLogs carries 6 ERC-20 tokens at `perDay` plus ERC-721 at a quarter; tokentx the 6.
        let perDay = max(10, Int((Double(rows) / (6 * 2 + 0.25)).rounded()))
        let generator = ChainGenerator(
            chain: chain, configuration: GeneratorConfiguration(seed: 3, transfersPerDay: perDay))
        let blocks = chain.blocks(on: Self.day)!
        let head = blocks.upperBound + 64
        let spill = workdir.appendingPathComponent("spill", isDirectory: true)
        try FileManager.default.createDirectory(at: spill, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: spill) }

        // One pass over the day, one spill file per (format, token); then each checkpoint takes
        // its token files in order, so every token is one ascending run, as extract writes.
        let formats: [ExplorerRowFormat] = [.etherscanLogs, .etherscanTokenTransfers]
        var spills: [[GzipLineWriter]] = try formats.map { format in
            try tokens.indices.map { index in
                try GzipLineWriter(path: spill.appendingPathComponent("\(format.rawValue)-\(index).gz").path)
            }
        }
        var row = JSONLineWriter(capacity: 4096)
        var line = JSONLineWriter(capacity: 8192)
        for number in blocks {
            let block = generator.block(number)
            for (position, log) in block.logs.enumerated() {
                for (formatIndex, format) in formats.enumerated() {
                    row.reset()
                    guard block.writeExplorerRow(format, logAt: position, head: head, into: &row) else { continue }
                    line.reset()
                    Self.envelope(format, token: log.tokenAddress, block: number, row: row, into: &line)
                    try spills[formatIndex][log.tokenIndex].append(line)
                }
            }
        }
        for (formatIndex, id) in ["extract_logs", "extract_tokentx"].enumerated() {
            let writer = try CheckpointWriter(location: location(id), kind: "bench", recordSchema: "raw-explorer-row/1")
            for index in tokens.indices {
                try spills[formatIndex][index].finish()
                let reader = try GzipLineReader(path: spills[formatIndex][index].path)
                while let bytes = try reader.nextLine() { try writer.append(line: bytes) }
            }
            rawRows += writer.rowsWritten
            try writer.commit(
                configHash: "bench", inputs: [:],
                counts: RowCounts(rowsIn: writer.rowsWritten, rowsOut: writer.rowsWritten), startedAt: Date())
        }
        spills = []
        prepared = true
    }

    func location(_ id: String) -> CheckpointLocation {
        CheckpointLocation(workdir: workdir, pipeline: pipeline.name, partition: Self.day, stageID: id)
    }

    /// Runs stage `id` as the runner does (inputs opened and verified, output committed).
    @discardableResult
    func run(_ id: String) throws -> CheckpointManifest {
        let spec = pipeline.stage(id: id)!
        let stage = try StageRegistry.standard.makeStage(spec, pipeline: pipeline)
        var inputs: [String: CheckpointReader] = [:]
        for need in spec.needs { inputs[need] = try CheckpointReader.open(location(need)) }
        var logger = Logger(label: "chainetl.bench.stages")
        logger.logLevel = .warning
        let location = location(id)
        let context = StageContext(
            pipeline: pipeline, spec: spec, configHash: "bench", partition: Self.day, workdir: workdir, runID: "bench",
            logger: logger,
            options: StageOptions(), eventSink: QuietEvents(), progressReporter: QuietProgress(),
            services: ExtractionServices(), inputs: inputs, databaseURL: nil,
            makeOutput: { try CheckpointWriter(location: location, kind: spec.kind, recordSchema: stage.recordSchema) })
        do {
            let outcome = try stage.run(context)
            return try context.output.commit(
                configHash: "bench", inputs: inputs.mapValues(\.manifest.contentHash), counts: outcome.counts,
                details: outcome.details, startedAt: Date())
        } catch {
            context.outputIfOpened?.discard()
            throw error
        }
    }

    /// A raw checkpoint line for a per-token extraction (what `RawExplorerRow.writeLine` writes).
    private static func envelope(
        _ format: ExplorerRowFormat, token: String, block: Int, row: JSONLineWriter, into line: inout JSONLineWriter
    ) {
        let window = block / 2_000 * 2_000
        line.beginObject()
        line.key("source")
        line.string(format.rawValue)
        line.key("chain_id")
        line.int(1)
        line.key("request")
        line.beginObject()
        line.key("endpoint")
        line.string(format == .etherscanLogs ? "logs/getLogs" : "account/tokentx")
        line.key("contract")
        line.string(token)
        line.key("from_block")
        line.int(window)
        line.key("to_block")
        line.int(window + 1_999)
        line.key("page")
        line.int(1)
        line.key("offset")
        line.int(1000)
        line.key("fetched_at")
        line.string("2026-11-21T03:00:00Z")
        line.endObject()
        line.key("row")
        row.bytes.withUnsafeBytes { line.raw($0) }
        line.endObject()
    }
}

/// Builds the shared data on first use (the scratch directory and row count come with the context).
final class TransferStageBenchShared {
    private var data: TransferStageBenchData?

    func data(for context: BenchContext) throws -> TransferStageBenchData {
        if let data { return data }
        let made = TransferStageBenchData(scratch: context.scratch)
        try made.prepare(rows: context.rows)
        data = made
        return made
    }
}

private struct QuietEvents: StageEventSink {
    func record(_ event: StageEvent) {}
}

private struct QuietProgress: StageProgressReporting {
    func report(stageID: String, partition: PartitionDay, _ snapshot: ProgressSnapshot) {}
}

/// `normalize/transfers` through the real stage (gzip read of the raw checkpoint, scan, validate,
/// identity digest, gzip write of parts and quarantine, manifest) against SPEC §12's ≥ 300k rows/s.
/// The raw checkpoints are prepared first and the peak RSS is reset after that, so the section's
/// peak is the stage's.
struct NormalizeBenchSection: BenchSection {
    let name = "normalize"
    let shared: TransferStageBenchShared

    func run(_ context: BenchContext) throws -> [BenchMeasure] {
        let data = try shared.data(for: context)
        PeakMemory.reset()
        let (manifests, elapsed) = try BenchTiming.measure {
            [try data.run("normalize_logs"), try data.run("normalize_tokentx")]
        }
        let rowsIn = manifests.reduce(0) { $0 + $1.counts.rowsIn }
        guard rowsIn == data.rawRows, manifests.allSatisfy({ $0.counts.quarantined == 0 }) else {
            throw BenchError.mismatch("normalize read \(rowsIn) of \(data.rawRows) raw rows or quarantined some")
        }
        let rows = Double(rowsIn)
        // As the runner runs a partition with --jobs 2: both normalize stages at once.
        let failures = FailureBox()
        let (_, together) = BenchTiming.measure {
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                do {
                    try data.run(index == 0 ? "normalize_logs" : "normalize_tokentx")
                } catch {
                    failures.record(error)
                }
            }
        }
        if let error = failures.first { throw error }
        return [
            BenchMeasure(
                measure: "normalize stage input",
                value: "\(rowsIn) raw rows (getLogs + tokentx), \(manifests.reduce(0) { $0 + $1.parts.count }) parts"),
            .rate("normalize stage rows/s (gzip in+out)", rows / elapsed.wall, baseline: 300_000, label: "SPEC min"),
            .rate("normalize stage rows/cpu-s", rows / elapsed.cpu, baseline: 300_000, label: "SPEC min"),
            .rate(
                "normalize 2 stages at once rows/s (--jobs 2)", rows / together.wall, baseline: 300_000,
                label: "SPEC min"),
        ]
    }
}

/// The first error of concurrent bench work.
private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [any Error] = []

    func record(_ error: any Error) {
        lock.lock()
        errors.append(error)
        lock.unlock()
    }

    var first: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return errors.first
    }
}

/// The normalize hot path alone (`runNormalizeBench`: lines in memory, no gzip, no disk), on an
/// even mix of the five explorer row formats and on each format alone. Its input is held in
/// memory by design, so it runs on at most 50k rows (the rate does not depend on N) and its peak
/// RSS is mostly that input.
struct NormalizeCoreBenchSection: BenchSection {
    let name = "normalize-core"

    func run(_ context: BenchContext) throws -> [BenchMeasure] {
        let rows = min(context.rows, 50_000)
        let core = try runNormalizeBench(rows: rows, repetitions: 3)
        var measures: [BenchMeasure] = [
            .rate("normalize hot path rows/s (\(rows) rows, 5 formats)", core.rowsPerSecond, baseline: 300_000, label: "SPEC min"),
            .rate("normalize hot path rows/cpu-s", core.rowsPerCPUSecond, baseline: 300_000, label: "SPEC min"),
        ]
        for format in ExplorerRowFormat.allCases {
            let alone = try runNormalizeBench(rows: rows, repetitions: 3, formats: [format])
            measures.append(
                .rate("normalize hot path rows/s, \(format.rawValue)", alone.rowsPerSecond, baseline: 300_000, label: "SPEC min"))
        }
        return measures
    }
}

/// `dedupe` over the two normalize outputs of the same transfers: k-way merge of their parts.
struct DedupeBenchSection: BenchSection {
    let name = "dedupe"
    let shared: TransferStageBenchShared

    func run(_ context: BenchContext) throws -> [BenchMeasure] {
        let data = try shared.data(for: context)
        for id in ["normalize_logs", "normalize_tokentx"] {
            if try CheckpointStore.existingManifest(at: data.location(id)) == nil { try data.run(id) }
        }
        PeakMemory.reset()
        let (manifest, elapsed) = try BenchTiming.measure { try data.run("dedupe") }
        let rows = Double(manifest.counts.rowsIn)
        guard manifest.counts.duplicates * 2 == manifest.counts.rowsIn else {
            throw BenchError.mismatch(
                "dedupe kept \(manifest.counts.rowsOut) of \(manifest.counts.rowsIn), expected half as duplicates")
        }
        return [
            BenchMeasure(
                measure: "dedupe input",
                value: "\(manifest.counts.rowsIn) records in \(manifest.details["runs"] ?? "?") runs, "
                    + "\(manifest.counts.duplicates) duplicates"),
            .rate("dedupe rows/s", rows / elapsed.wall, baseline: nil),
            .rate("dedupe rows/cpu-s", rows / elapsed.cpu, baseline: nil),
        ]
    }
}

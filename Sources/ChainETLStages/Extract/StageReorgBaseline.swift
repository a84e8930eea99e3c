import ChainETLCore
import ChainETLExplorers
import ChainETLPostgres
import Foundation
import Logging

/// The reorg baseline of an extract unit: the run's database (`transfers`, `etl_refetch`) and the
/// previous day's checkpoint of the same stage under the workdir.
///
/// The store is preferred, since it is what aggregates read. It is "unreadable" (connection refused,
/// no `transfers` table) only in runs without a migrated database; the check then falls back to
/// the checkpoint and logs why. Blocking: runs on the unit's worker thread.
final class StageReorgBaseline: ReorgBaseline {
    private let pipeline: String
    private let stageID: String
    private let workdir: URL
    private let runID: String
    private let logger: Logger
    private let database: () throws -> PostgresConnection

    /// Transfers of the pipeline on the day, on the chain, in a block range.
    static let windowSQL = """
        SELECT block_number, block_hash, encode(transfer_id, 'hex'), token_address, from_address, to_address
        FROM transfers
        WHERE pipeline = $1 AND chain_id = $2 AND block_time >= $3 AND block_time < $4
          AND block_number BETWEEN $5 AND $6
        """
    /// Whether the pipeline loaded anything of a target on the day (token and account optional).
    static let loadedSQL = """
        SELECT EXISTS (
          SELECT 1 FROM transfers
          WHERE pipeline = $1 AND chain_id = $2 AND block_time >= $3 AND block_time < $4
            AND ($5::text IS NULL OR token_address = $5)
            AND ($6::text IS NULL OR from_address = $6 OR to_address = $6))
        """

    init(
        pipeline: String, stageID: String, workdir: URL, runID: String, logger: Logger,
        database: @escaping () throws -> PostgresConnection
    ) {
        self.pipeline = pipeline
        self.stageID = stageID
        self.workdir = workdir
        self.runID = runID
        self.logger = logger
        self.database = database
    }

    func windows(chainID: Int, targets: [ExtractionTarget], blocks: ClosedRange<Int>, day: PartitionDay) throws
        -> ReorgBaselineWindows?
    {
        do {
            if let stored = try storeWindows(chainID: chainID, targets: targets, blocks: blocks, day: day) {
                return stored
            }
        } catch {
            logger.warning(
                "reorg check cannot read the store, comparing with the checkpoint",
                metadata: ["chain.id": "\(chainID)", "reorg.partition": "\(day)", "error": "\(error)"])
        }
        return try checkpointWindows(chainID: chainID, targets: targets, blocks: blocks, day: day)
    }

    func mark(_ marks: [RefetchLedger.Mark], day: PartitionDay) throws -> Int {
        guard !marks.isEmpty else { return 0 }
        let connection = try database()
        try connection.transaction {
            try RefetchLedger.mark(marks, pipeline: pipeline, partition: day, runID: runID, on: connection)
        }
        return marks.count
    }

    // MARK: - Store

    /// The store's windows of the targets it holds rows of on `day`; nil when it holds none of them.
    private func storeWindows(chainID: Int, targets: [ExtractionTarget], blocks: ClosedRange<Int>, day: PartitionDay)
        throws -> ReorgBaselineWindows?
    {
        let connection = try database()
        var loaded: [ExtractionTarget] = []
        for target in targets {
            let rows = try connection.execute(
                SQLQuery(
                    Self.loadedSQL,
                    [pipeline, chainID, day.start, day.end, target.contract, target.address]))
            if rows.bool(row: 0, column: 0) == true { loaded.append(target) }
        }
        guard !loaded.isEmpty else { return nil }
        var windows = Dictionary(uniqueKeysWithValues: loaded.map { ($0, ReorgWindow()) })
        let rows = try connection.execute(
            SQLQuery(Self.windowSQL, [pipeline, chainID, day.start, day.end, blocks.lowerBound, blocks.upperBound]))
        for row in 0..<rows.count {
            guard let block = try rows.int(row: row, column: 0), let id = rows.value(row: row, column: 2),
                let token = rows.value(row: row, column: 3)
            else { continue }
            let from = rows.value(row: row, column: 4)
            let to = rows.value(row: row, column: 5)
            for target in loaded {
                if let contract = target.contract, contract != token { continue }
                if let address = target.address, address != from && address != to { continue }
                windows[target]?.add(
                    block: block, hash: rows.value(row: row, column: 1), transferID: id, token: token)
            }
        }
        return ReorgBaselineWindows(origin: .store, windows: windows)
    }

    // MARK: - Checkpoint

    /// The windows of the targets found in the day's raw checkpoint of this stage; nil without one.
    private func checkpointWindows(
        chainID: Int, targets: [ExtractionTarget], blocks: ClosedRange<Int>, day: PartitionDay
    ) throws -> ReorgBaselineWindows? {
        let location = CheckpointLocation(workdir: workdir, pipeline: pipeline, partition: day, stageID: stageID)
        let reader: CheckpointReader
        do {
            reader = try CheckpointReader.open(location, expecting: .rawExplorerRow)
        } catch CheckpointError.missing(_) {
            return nil
        }
        let wanted = Set(targets)
        var builders: [ExtractionTarget: ReorgWindowBuilder] = [:]
        var previous: ExtractionTarget?
        try reader.forEachLine { line in
            guard let (lineChain, target) = Self.envelope(of: line), lineChain == chainID, wanted.contains(target)
            else { return }
            var builder = builders[target] ?? ReorgWindowBuilder(chainID: chainID, day: day, blocks: blocks)
            // Each walk is in block order on its own; a new walk restarts occurrence counting.
            if target != previous { builder.beginInput() }
            previous = target
            try builder.add(line: line)
            builders[target] = builder
        }
        guard !builders.isEmpty else { return nil }
        return ReorgBaselineWindows(origin: .checkpoint, windows: builders.mapValues(\.window))
    }

    /// A raw line's `chain_id` and walk (`request.contract`, `request.address`).
    private static func envelope(of line: UnsafeRawBufferPointer) -> (Int, ExtractionTarget)? {
        let scanner = JSONScanner(bytes: line)
        guard let root = try? scanner.root(), root.kind == .object,
            let chain = try? scanner.member("chain_id", of: root), chain.kind == .number,
            let chainID = Int(String(decoding: scanner.rawBytes(chain), as: UTF8.self)),
            let request = try? scanner.member("request", of: root), request.kind == .object
        else { return nil }
        func text(_ slice: JSONSlice?) -> String? {
            guard let slice, slice.kind == .string else { return nil }
            return try? scanner.string(slice)
        }
        let contract = text(try? scanner.member("contract", of: request))
        let address = text(try? scanner.member("address", of: request))
        guard let target = try? ExtractionTarget(contract: contract, address: address) else { return nil }
        return (chainID, target)
    }
}

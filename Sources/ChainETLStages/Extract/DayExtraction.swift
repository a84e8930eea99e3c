import ChainETLCore
import ChainETLExplorers
import Foundation
import Logging

/// Extracts one UTC day (partition) for every chain of an extract stage, streaming each raw row
/// (`raw-explorer-row/1`) to the output as it arrives.
///
/// Two phases, so nothing is written before every chain is known to be ready:
/// 1. per chain, every chain at once: read the API key from its env var, read the head once and,
///    at the same time, resolve the day's block range with two `getblocknobytime` (or take it from
///    the process-wide `DayBlockRangeCache`), refuse an open day unless `allowOpen`, and fix the end
///    block at or below head − confirmations;
/// 2. the walks: one task per (chain, target), in configuration order, run by an
///    `OrderedWalkPool` of up to `max_in_flight` threads; each key's `InFlightLimit` and token
///    bucket pace its requests. A dense walk splits the rest of its range after its first full
///    page into block sub-ranges queued right after it (`BlockRangeSplit`). The pool writes the
///    lines in task order, so the checkpoint holds the same rows in the same order whatever the
///    concurrency; then the chains' reorg checks, all at once.
///
/// Blocking (HTTP and Postgres): runs on the unit's worker thread and the pool's threads.
final class DayExtraction: @unchecked Sendable {
    // `@unchecked`: `prepared` is written at the end of phase 1, before any walk starts; the
    // figures shared by the walks are guarded by `lock`, and so are the calls to `hooks.event` and
    // `hooks.progress` (the write hook is serialized by the pool).
    /// Where rows, events and progress go (the stage wires them to its `StageContext`).
    struct Hooks {
        /// Receives each checkpoint line, newline included.
        var write: (JSONLineWriter) throws -> Void
        var event: (ExtractionEventRecord) -> Void = { _ in }
        var progress: (ExtractionStatus) -> Void = { _ in }
    }

    /// One chain after phase 1: the extractor to use and the blocks to walk.
    private struct PreparedChain {
        var targets: ExtractConfiguration.ChainTargets
        var extractor: TransferExtractor
        var fingerprint: APIKeyFingerprint
        var inFlight: InFlightLimit
        var range: DayBlockRange
        var head: Int
        /// The last block walked: the day's last block, or head − confirmations for an open day.
        var endBlock: Int
        var open: Bool
        /// Calls of phase 1 (head and day range).
        var fixedCalls: Int

        var blocksPerTarget: Int { max(0, endBlock - range.firstBlock + 1) }
    }

    let configuration: ExtractConfiguration
    let day: PartitionDay
    let allowOpen: Bool
    private let dependencies: ExtractionDependencies
    private let logger: Logger
    private let hooks: Hooks
    /// Set by the first chain's phase 1 that needs it (under `recorderLock`), read-only after.
    private var quotaRecorder: QuotaUsageRecorder?
    private let recorderLock = NSLock()
    /// The chains after phase 1, in configuration order.
    private var prepared: [PreparedChain] = []
    private let lock = NSLock()
    private var status = ExtractionStatus()
    /// Rows per (chain, target) index, summed over the target's sub-ranges.
    private var rowsByWalk: [Int: [Int: Int]] = [:]
    /// Tasks run at once; nil: the largest `max_in_flight` of the stage's chains.
    var concurrency: Int?

    init(
        configuration: ExtractConfiguration, day: PartitionDay, allowOpen: Bool, dependencies: ExtractionDependencies,
        logger: Logger, hooks: Hooks
    ) {
        self.configuration = configuration
        self.day = day
        self.allowOpen = allowOpen
        self.dependencies = dependencies
        self.logger = logger
        self.hooks = hooks
    }

    /// Runs both phases; throws `ExtractError` (the output is then incomplete and must be discarded).
    func run() throws -> DayExtractionSummary {
        prepared = try prepareAll()
        lock.withLock {
            status.blocksTotal = prepared.reduce(0) { $0 + $1.blocksPerTarget * $1.targets.targets.count }
            status.chain = prepared.first?.targets.chain.name
            report()
        }
        // Slots leased from a shared key budget that no walk will use go back at once.
        defer { dependencies.rateLimiters.releaseUnusedSlots() }
        try walkAll()
        // The chains' reorg checks at once too; they share the baseline's one connection.
        let baseline = dependencies.reorgBaseline.map { SerializedReorgBaseline($0) }
        let works: [@Sendable () throws -> ChainExtractionSummary] = prepared.indices.map { index in
            { [self] in try summarize(chain: index, baseline: baseline) }
        }
        let summaries = try OrderedWalkPool.all(works).map { try $0.get() }
        return DayExtractionSummary(day: day, chains: summaries)
    }

    // MARK: - Phase 1

    /// Phase 1 of every chain at once: its calls do not depend on each other, so the walks start
    /// one answer after the stage instead of three per chain. Errors are thrown in configuration
    /// order, as if the chains had been prepared one after the other.
    private func prepareAll() throws -> [PreparedChain] {
        let works: [@Sendable () throws -> PreparedChain] = configuration.chains.map { chainTargets in
            { [self] in try prepare(chainTargets) }
        }
        return try OrderedWalkPool.all(works).map { try $0.get() }
    }

    private func prepare(_ chainTargets: ExtractConfiguration.ChainTargets) throws -> PreparedChain {
        let chain = chainTargets.chain
        let endpoint = try ChainExplorerAccess(chain: chain, environment: dependencies.environment).endpoint
        let fingerprint = endpoint.keyFingerprint
        let limiter = dependencies.rateLimiters.bucket(for: fingerprint, ratePerSecond: chain.ratePerSecond)
        var quota: DailyQuotaGate?
        if let perDay = chain.ratePerDay {
            quota = DailyQuotaGate(
                store: try recorder(), fingerprint: fingerprint, dailyLimit: perDay,
                currentDate: dependencies.currentDate)
        }
        let chainName = chain.name
        let chainID = chain.chainID
        let inFlight = dependencies.rateLimiters.inFlightLimit(
            for: fingerprint, ratePerSecond: chain.ratePerSecond, cap: chain.maxInFlight)
        let extractor = TransferExtractor(
            source: chainTargets.source, endpoint: endpoint, transport: dependencies.transport, limiter: limiter,
            quota: quota, offset: configuration.offset, retryPolicy: dependencies.retryPolicy, logger: logger,
            currentDate: dependencies.currentDate,
            onEvent: { [unowned self] event in
                let record = ExtractionEventRecord(event, chain: chainName, chainID: chainID)
                self.lock.withLock { self.hooks.event(record) }
            },
            spillDirectory: dependencies.spillDirectory, inFlight: inFlight)

        let head: Int
        let range: DayBlockRange
        let baseURL = endpoint.baseURL.absoluteString
        // The head and the day's two boundary blocks at once (the boundaries only when not cached);
        // their errors are looked at in the order the calls used to be made in.
        let cached = dependencies.dayRanges.range(baseURL: baseURL, chainID: chainID, day: day)
        let day = day
        let calls: [@Sendable () throws -> Int] =
            [{ try extractor.headBlockNumber() }]
            + (cached == nil
                ? [
                    { try extractor.dayBoundary(day, .first) },
                    { try extractor.dayBoundary(day, .last) },
                ] : [])
        let answers = try OrderedWalkPool.all(calls)
        do {
            head = try answers[0].get()
            do {
                if let cached {
                    range = cached
                } else {
                    range = DayBlockRange(day: day, firstBlock: try answers[1].get(), lastBlock: try answers[2].get())
                    dependencies.dayRanges.store(range, baseURL: baseURL, chainID: chainID, head: head)
                }
            } catch let error as ExplorerError where Self.meansNoBlockYet(error) {
                throw ExtractError.dayNotStarted(
                    chain: chain.name, day: day, head: head, dayIsOver: day.end <= dependencies.currentDate())
            }
        } catch let error as ExplorerError {
            throw ExtractError.explorer(chain: chain.name, target: nil, underlying: error)
        }

        let closed = range.isClosed(head: head, confirmations: chain.confirmations)
        if !closed && !allowOpen {
            throw ExtractError.dayOpen(
                chain: chain.name, day: day, lastBlock: range.lastBlock, head: head,
                confirmations: chain.confirmations,
                closesAround: Self.closingEstimate(
                    range: range, head: head, confirmations: chain.confirmations, now: dependencies.currentDate()))
        }
        let endBlock = min(range.lastBlock, head - max(0, chain.confirmations))
        logger.info(
            "extraction day resolved",
            metadata: [
                "chain": "\(chain.name)", "chain.id": "\(chain.chainID)", "blocks.first": "\(range.firstBlock)",
                "blocks.last": "\(range.lastBlock)", "blocks.end": "\(endBlock)", "chain.head": "\(head)",
                "day.open": "\(!closed)", "targets.count": "\(chainTargets.targets.count)",
            ])
        return PreparedChain(
            targets: chainTargets, extractor: extractor, fingerprint: fingerprint, inFlight: inFlight, range: range,
            head: head, endBlock: endBlock, open: !closed, fixedCalls: extractor.requestCount)
    }

    /// The quota recorder, wrapping the store opened on first use (by any chain's phase 1).
    private func recorder() throws -> QuotaUsageRecorder {
        try recorderLock.withLock {
            if let quotaRecorder { return quotaRecorder }
            let created = QuotaUsageRecorder(try dependencies.quotaStore())
            quotaRecorder = created
            return created
        }
    }

    /// Whether `getblocknobytime` said no block exists at or after the day's start yet.
    static func meansNoBlockYet(_ error: ExplorerError) -> Bool {
        switch error {
        case .invalidRequest(let text, _), .explorerRejected(let text, _):
            let lowered = text.lowercased()
            return lowered.contains("no closest block") || lowered.contains("block does not exist")
        default:
            return false
        }
    }

    /// When an open day should close: the day's end (or now, when it has ended), plus the blocks
    /// still missing for the confirmations, at the block pace seen during the day.
    static func closingEstimate(range: DayBlockRange, head: Int, confirmations: Int, now: Date) -> String {
        let nowSeconds = Int(now.timeIntervalSince1970)
        let dayEnded = nowSeconds >= range.day.endUnixSeconds
        let elapsed = dayEnded ? 86_400 : max(1, nowSeconds - range.day.startUnixSeconds)
        let secondsPerBlock = range.blockCount > 0 ? Double(elapsed) / Double(range.blockCount) : nil
        guard let secondsPerBlock else {
            return "\(UTCTimestamp.iso8601(range.day.end)) plus \(confirmations) blocks"
        }
        let missing: Int
        let start: Int
        if dayEnded {
            missing = max(range.lastBlock + max(1, confirmations) - head, 0)
            start = nowSeconds
        } else {
            missing = max(1, confirmations)
            start = range.day.endUnixSeconds
        }
        let estimate = start + Int((Double(missing) * secondsPerBlock).rounded(.up))
        return UTCTimestamp.iso8601(Date(timeIntervalSince1970: TimeInterval(estimate)))
            + " (\(missing) more blocks at about \(Int(secondsPerBlock.rounded())) s each)"
    }

    // MARK: - Phase 2

    /// Walks every (chain, target) through the ordered pool.
    private func walkAll() throws {
        var works: [OrderedWalkPool.Work] = []
        for (chainIndex, chain) in prepared.enumerated() where chain.blocksPerTarget > 0 {
            for targetIndex in chain.targets.targets.indices {
                works.append(
                    walk(
                        chain: chainIndex, target: targetIndex, blocks: chain.range.firstBlock...chain.endBlock,
                        splittable: true))
            }
        }
        guard !works.isEmpty else { return }
        let threads = concurrency ?? prepared.map { $0.targets.chain.maxInFlight }.max() ?? 1
        let pool = OrderedWalkPool(threads: threads, spillDirectory: dependencies.spillDirectory, output: hooks.write)
        try pool.run(works)
    }

    /// The task walking `blocks` of one target; the first (whole-range) task of a target may split.
    private func walk(chain chainIndex: Int, target targetIndex: Int, blocks: ClosedRange<Int>, splittable: Bool)
        -> OrderedWalkPool.Work
    {
        { [self] task in
            let chain = prepared[chainIndex]
            let spec = chain.targets.chain
            let target = chain.targets.targets[targetIndex]
            var line = JSONLineWriter(capacity: 4096)
            let tally = WalkTally()
            let split: ((TransferExtractor.FirstPage) -> Int?)? =
                splittable
                ? { [self] first in
                    let parts = Self.subRanges(after: first, maximumParts: chain.inFlight.cap)
                    guard parts.count > 1 else { return nil }
                    task.insertAfter(
                        parts.dropFirst().map { walk(chain: chainIndex, target: targetIndex, blocks: $0, splittable: false) })
                    logger.debug(
                        "dense walk split",
                        metadata: [
                            "chain": "\(spec.name)", "explorer.target": "\(target)", "walk.parts": "\(parts.count)",
                            "blocks.from": "\(first.restartBlock)", "blocks.to": "\(first.toBlock)",
                        ])
                    return parts[0].upperBound
                } : nil
            do {
                let result = try chain.extractor.extract(
                    target: target, fromBlock: blocks.lowerBound, toBlock: blocks.upperBound,
                    progress: { [self] progress in pageArrived(progress, chain: spec.name, tally: tally) }, split: split
                ) { row in
                    line.reset()
                    row.writeLine(into: &line, chainID: spec.chainID)
                    try task.write(line)
                }
                pageArrived(result, chain: spec.name, tally: tally)
                lock.withLock { rowsByWalk[chainIndex, default: [:]][targetIndex, default: 0] += result.rows }
            } catch let error as ExplorerError {
                throw ExtractError.explorer(chain: spec.name, target: target.description, underlying: error)
            }
        }
    }

    /// The sub-ranges of the rest of a walk whose first page came back full (`BlockRangeSplit`).
    static func subRanges(after first: TransferExtractor.FirstPage, maximumParts: Int) -> [ClosedRange<Int>] {
        guard first.restartBlock <= first.toBlock,
            let density = BlockRangeSplit.density(
                fromBlock: first.fromBlock, restartBlock: first.restartBlock, rowsKept: first.rowsKept)
        else { return [] }
        return BlockRangeSplit.parts(
            of: first.restartBlock...first.toBlock, rowsPerBlock: density, pageSize: first.pageSize,
            maximumParts: maximumParts)
    }

    /// One chain's figures after its walks, and its reorg check.
    private func summarize(chain index: Int, baseline: (any ReorgBaseline)?) throws -> ChainExtractionSummary {
        let chain = prepared[index]
        let spec = chain.targets.chain
        let rowsByTarget = lock.withLock { rowsByWalk[index] ?? [:] }
        let rows = rowsByTarget.values.reduce(0, +)
        let reorg = try checkReorg(chain, baseline: baseline)
        let executor = chain.extractor.executor
        let pageSize = chain.targets.source == .blockscoutV2 ? BlockscoutClient.v2PageSize : chain.extractor.pageCapacity
        var lowerBound = chain.fixedCalls + reorg.targets
        if chain.blocksPerTarget > 0 {
            for targetIndex in chain.targets.targets.indices {
                lowerBound += BlockRangeSplit.minimumCalls(rows: rowsByTarget[targetIndex] ?? 0, pageSize: pageSize)
            }
        }
        var summary = ChainExtractionSummary(
            chain: spec.name, chainID: spec.chainID, source: chain.targets.source, firstBlock: chain.range.firstBlock,
            lastBlock: chain.range.lastBlock, endBlock: chain.endBlock, head: chain.head,
            confirmations: spec.confirmations, open: chain.open, targets: chain.targets.targets.count, rows: rows,
            calls: executor.requestCount, throttles: executor.throttleCount, retries: executor.retryCount)
        summary.callsLowerBound = lowerBound
        summary.reorg = reorg
        logger.info(
            "chain extraction finished",
            metadata: [
                "chain": "\(spec.name)", "rows.count": "\(rows)", "calls.count": "\(summary.calls)",
                "calls.lower_bound": "\(lowerBound)", "throttles.count": "\(summary.throttles)",
                "retries.count": "\(summary.retries)", "in_flight.peak": "\(chain.inFlight.peakInFlight)",
                "latency.ms": "\(Int(chain.inFlight.observedLatency * 1000))",
            ])
        return summary
    }

    /// Re-reads the previous day's last confirmed window of `chain` (`ReorgCheck`).
    private func checkReorg(_ chain: PreparedChain, baseline: (any ReorgBaseline)?) throws -> ReorgCheck.Summary {
        let spec = chain.targets.chain
        let check = ReorgCheck(
            settings: configuration.reorg, chain: spec, source: chain.targets.source, targets: chain.targets.targets,
            day: day, baseline: baseline, logger: logger,
            event: { [self] record in lock.withLock { hooks.event(record) } })
        return try check.run(extractor: chain.extractor, range: chain.range, head: chain.head)
    }

    /// A walk task's last reported figures, to turn its cumulative figures into increments.
    private final class WalkTally: @unchecked Sendable {
        // `@unchecked`: only touched under the extraction's `lock`.
        var last: ExtractionProgress?
    }

    /// Folds one page's figures (cumulative for its walk task) into the day's status.
    private func pageArrived(_ progress: ExtractionProgress, chain: String, tally: WalkTally) {
        lock.withLock {
            status.chain = chain
            let previous = tally.last ?? ExtractionProgress(source: progress.source, target: progress.target, blocksTotal: 0)
            status.rows += progress.rows - previous.rows
            status.windows += progress.windowsDone - previous.windowsDone
            status.blocksDone += progress.blocksDone - previous.blocksDone
            tally.last = progress
            report()
        }
    }

    /// Sends the current figures: calls of every chain so far, and the first key's quota left.
    /// Called under `lock`.
    private func report() {
        var snapshot = status
        snapshot.calls = prepared.reduce(0) { $0 + $1.extractor.requestCount }
        if let chain = prepared.first(where: { $0.targets.chain.name == status.chain }) ?? prepared.first {
            snapshot.chain = chain.targets.chain.name
            if let perDay = chain.targets.chain.ratePerDay, let recorder = quotaRecorder,
                let used = recorder.used(
                    fingerprint: chain.fingerprint.value, day: PartitionDay(containing: dependencies.currentDate()))
            {
                snapshot.quotaLeft = max(0, perDay - used)
            }
        }
        hooks.progress(snapshot)
    }
}

/// A `ReorgBaseline` the chains' concurrent reorg checks share: one call at a time, since the
/// stage's baseline reads and marks through a single database connection.
private final class SerializedReorgBaseline: ReorgBaseline, @unchecked Sendable {
    // `@unchecked`: every use of `base` is under `lock`.
    private let base: any ReorgBaseline
    private let lock = NSLock()

    init(_ base: any ReorgBaseline) {
        self.base = base
    }

    func windows(chainID: Int, targets: [ExtractionTarget], blocks: ClosedRange<Int>, day: PartitionDay) throws
        -> ReorgBaselineWindows?
    {
        try lock.withLock { try base.windows(chainID: chainID, targets: targets, blocks: blocks, day: day) }
    }

    func mark(_ marks: [RefetchLedger.Mark], day: PartitionDay) throws -> Int {
        try lock.withLock { try base.mark(marks, day: day) }
    }
}

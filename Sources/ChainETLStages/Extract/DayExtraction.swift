import ChainETLCore
import ChainETLExplorers
import Foundation
import Logging

/// Extracts one UTC day (partition) for every chain of an extract stage, streaming each raw row
/// (`raw-explorer-row/1`) to the output as it arrives.
///
/// Two phases, so nothing is written before every chain is known to be ready:
/// 1. per chain: read the API key from its env var, read the head once, resolve the day's block
///    range with `getblocknobytime`, refuse an open day unless `allowOpen`, and fix the end block at
///    or below head − confirmations;
/// 2. per chain, per target (token, account or pair), in configuration order: walk the range with
///    `TransferExtractor`; rows of one target arrive in ascending block order.
///
/// Blocking (HTTP and Postgres): runs on the unit's worker thread.
final class DayExtraction {
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
        var range: DayBlockRange
        var head: Int
        /// The last block walked: the day's last block, or head − confirmations for an open day.
        var endBlock: Int
        var open: Bool

        var blocksPerTarget: Int { max(0, endBlock - range.firstBlock + 1) }
    }

    let configuration: ExtractConfiguration
    let day: PartitionDay
    let allowOpen: Bool
    private let dependencies: ExtractionDependencies
    private let logger: Logger
    private let hooks: Hooks
    private var quotaRecorder: QuotaUsageRecorder?
    private var status = ExtractionStatus()
    /// Chains through phase 1 so far.
    private var prepared: [PreparedChain] = []
    /// The chain being extracted in phase 2.
    private var current: PreparedChain?
    /// The current target's previous page, to turn its cumulative figures into increments.
    private var lastPage: ExtractionProgress?
    /// While the reorg check re-reads the previous day, its pages are not this day's progress.
    private var checkingReorg = false

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
        prepared = []
        for chainTargets in configuration.chains {
            prepared.append(try prepare(chainTargets))
        }
        status.blocksTotal = prepared.reduce(0) { $0 + $1.blocksPerTarget * $1.targets.targets.count }
        current = prepared.first
        report()

        var summaries: [ChainExtractionSummary] = []
        var line = JSONLineWriter(capacity: 4096)
        for chain in prepared {
            summaries.append(try extract(chain, line: &line))
        }
        return DayExtractionSummary(day: day, chains: summaries)
    }

    // MARK: - Phase 1

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
        let extractor = TransferExtractor(
            source: chainTargets.source, endpoint: endpoint, transport: dependencies.transport, limiter: limiter,
            quota: quota, offset: configuration.offset, retryPolicy: dependencies.retryPolicy, logger: logger,
            currentDate: dependencies.currentDate,
            onEvent: { [hooks] event in
                hooks.event(ExtractionEventRecord(event, chain: chainName, chainID: chainID))
            },
            onProgress: { [unowned self] progress in self.pageArrived(progress) },
            spillDirectory: dependencies.spillDirectory)

        let head: Int
        let range: DayBlockRange
        do {
            head = try extractor.headBlockNumber()
            do {
                range = try extractor.resolve(day: day)
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
            targets: chainTargets, extractor: extractor, fingerprint: fingerprint, range: range, head: head,
            endBlock: endBlock, open: !closed)
    }

    /// The quota recorder, wrapping the store opened on first use.
    private func recorder() throws -> QuotaUsageRecorder {
        if let quotaRecorder { return quotaRecorder }
        let created = QuotaUsageRecorder(try dependencies.quotaStore())
        quotaRecorder = created
        return created
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
            return "\(RawExplorerRow.timestamp(range.day.end)) plus \(confirmations) blocks"
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
        return RawExplorerRow.timestamp(Date(timeIntervalSince1970: TimeInterval(estimate)))
            + " (\(missing) more blocks at about \(Int(secondsPerBlock.rounded())) s each)"
    }

    // MARK: - Phase 2

    private func extract(_ chain: PreparedChain, line: inout JSONLineWriter) throws -> ChainExtractionSummary {
        let spec = chain.targets.chain
        var rows = 0
        let walked = chain.blocksPerTarget
        current = chain
        if walked > 0 {
            for target in chain.targets.targets {
                let blocksBefore = status.blocksDone
                lastPage = nil
                do {
                    let progress = try chain.extractor.extract(
                        target: target, fromBlock: chain.range.firstBlock, toBlock: chain.endBlock
                    ) { row in
                        line.reset()
                        row.writeLine(into: &line, chainID: spec.chainID)
                        try hooks.write(line)
                    }
                    rows += progress.rows
                } catch let error as ExplorerError {
                    throw ExtractError.explorer(chain: spec.name, target: target.description, underlying: error)
                }
                // The target is done: count all its blocks, whatever its last page reported.
                status.blocksDone = blocksBefore + walked
                report()
            }
        }
        let reorg = try checkReorg(chain)
        let executor = chain.extractor.executor
        var summary = ChainExtractionSummary(
            chain: spec.name, chainID: spec.chainID, source: chain.targets.source, firstBlock: chain.range.firstBlock,
            lastBlock: chain.range.lastBlock, endBlock: chain.endBlock, head: chain.head,
            confirmations: spec.confirmations, open: chain.open, targets: chain.targets.targets.count, rows: rows,
            calls: executor.requestCount, throttles: executor.throttleCount, retries: executor.retryCount)
        summary.reorg = reorg
        logger.info(
            "chain extraction finished",
            metadata: [
                "chain": "\(spec.name)", "rows.count": "\(rows)", "calls.count": "\(summary.calls)",
                "throttles.count": "\(summary.throttles)", "retries.count": "\(summary.retries)",
            ])
        return summary
    }

    /// Re-reads the previous day's last confirmed window of `chain` (`ReorgCheck`).
    private func checkReorg(_ chain: PreparedChain) throws -> ReorgCheck.Summary {
        let spec = chain.targets.chain
        let check = ReorgCheck(
            settings: configuration.reorg, chain: spec, source: chain.targets.source, targets: chain.targets.targets,
            day: day, baseline: dependencies.reorgBaseline, logger: logger,
            event: { [hooks] record in hooks.event(record) })
        checkingReorg = true
        defer { checkingReorg = false }
        return try check.run(extractor: chain.extractor, range: chain.range, head: chain.head)
    }

    /// Folds one page's figures (cumulative for the current target) into the day's status.
    private func pageArrived(_ progress: ExtractionProgress) {
        guard !checkingReorg else { return }
        let previous = lastPage ?? ExtractionProgress(source: progress.source, target: progress.target, blocksTotal: 0)
        status.rows += progress.rows - previous.rows
        status.windows += progress.windowsDone - previous.windowsDone
        status.blocksDone += progress.blocksDone - previous.blocksDone
        lastPage = progress
        report()
    }

    /// Sends the current figures: calls of every chain so far, and the current key's quota left.
    private func report() {
        var snapshot = status
        snapshot.calls = prepared.reduce(0) { $0 + $1.extractor.requestCount }
        if let chain = current {
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

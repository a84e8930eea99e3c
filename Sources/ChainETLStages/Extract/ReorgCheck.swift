import ChainETLCore
import ChainETLExplorers
import Foundation
import Logging

/// The reorg check of one chain, run after the chain's day D was extracted (SPEC §5 "Reorgs").
///
/// It re-reads the last confirmed window of D − 1 (the `window(for:)` blocks before D's first
/// block) for every target the baseline holds, normalizes the rows as normalize would, and compares
/// them block by block with what the pipeline holds of D − 1: `blockHash` per block, and the
/// transfers by `transfer_id`. A changed hash, or transfers on one side only, marks D − 1 for
/// reload in `etl_refetch` (one mark per token, reason `reorg: block N hash changed from X to Y`)
/// and records a `reorg` event; the runner re-extracts a marked partition the next time a run
/// covers it (docs/extract.md, "Reorg check").
///
/// Skipped, without a call, when the check is off, the source has no `blockHash` (Blockscout
/// getLogs), the window is not confirmed yet, or nothing of D − 1 is held to compare with.
struct ReorgCheck {
    /// What the check did on one chain; recorded in the manifest as `chain.<name>.reorg_*`.
    struct Summary: Sendable, Equatable {
        enum Status: String, Sendable {
            /// `reorg_check: false`.
            case off
            /// Nothing compared (the reason is in `skippedBecause`).
            case skipped
            /// Compared with the store's rows.
            case store
            /// Compared with the previous day's raw checkpoint.
            case checkpoint
        }

        var status: Status
        var skippedBecause: String?
        var partition: PartitionDay?
        var window: ClosedRange<Int>?
        /// Targets compared.
        var targets = 0
        /// HTTP calls of the re-read, retries included.
        var calls = 0
        /// Blocks that differ, summed over targets.
        var mismatches = 0
        /// Tokens marked for reload.
        var marked = 0

        static func skipped(_ reason: String, partition: PartitionDay? = nil, window: ClosedRange<Int>? = nil)
            -> Summary
        {
            Summary(status: .skipped, skippedBecause: reason, partition: partition, window: window)
        }

        /// `reorg_*` entries (without the `chain.<name>.` prefix).
        var details: [String: String] {
            var details = [
                "reorg_check": status.rawValue, "reorg_calls": "\(calls)", "reorg_mismatches": "\(mismatches)",
            ]
            if let skippedBecause { details["reorg_skipped"] = skippedBecause }
            if let partition { details["reorg_partition"] = "\(partition)" }
            if let window { details["reorg_window"] = "\(window.lowerBound)-\(window.upperBound)" }
            if status == .store || status == .checkpoint {
                details["reorg_targets"] = "\(targets)"
                details["reorg_marked"] = "\(marked)"
            }
            return details
        }
    }

    /// The sources whose rows carry `blockHash` (REST v2: `block_hash`); Blockscout getLogs (and
    /// anything unknown) does not.
    static let sourcesWithBlockHash: Set<ExplorerSourceKind> = [
        .etherscanLogs, .etherscanTokenTransfers, .blockscoutTokenTransfers, .blockscoutV2,
    ]

    let settings: ReorgCheckSettings
    let chain: ChainSpec
    let source: ExplorerSourceKind
    let targets: [ExtractionTarget]
    /// The day just extracted; the check looks at the day before.
    let day: PartitionDay
    let baseline: (any ReorgBaseline)?
    let logger: Logger
    let event: (ExtractionEventRecord) -> Void

    /// The blocks re-read: the `size` blocks before `dayFirstBlock`, never past head − confirmations.
    static func window(dayFirstBlock: Int, head: Int, confirmations: Int, size: Int) -> ClosedRange<Int>? {
        let last = min(dayFirstBlock - 1, head - max(0, confirmations))
        let first = max(0, dayFirstBlock - size)
        return first <= last ? first...last : nil
    }

    func run(extractor: TransferExtractor, range: DayBlockRange, head: Int) throws -> Summary {
        guard settings.enabled else { return Summary(status: .off) }
        let previous = day.advanced(by: -1)
        guard Self.sourcesWithBlockHash.contains(source) else {
            return .skipped("\(source) rows carry no blockHash", partition: previous)
        }
        guard
            let window = Self.window(
                dayFirstBlock: range.firstBlock, head: head, confirmations: chain.confirmations,
                size: settings.window(for: chain))
        else {
            return .skipped("the previous day's last blocks are not confirmed yet", partition: previous)
        }
        guard let baseline,
            let held = try baseline.windows(chainID: chain.chainID, targets: targets, blocks: window, day: previous)
        else {
            return .skipped("nothing of \(previous) is loaded or extracted", partition: previous, window: window)
        }

        var summary = Summary(status: held.origin == .store ? .store : .checkpoint, partition: previous, window: window)
        let callsBefore = extractor.requestCount
        var byToken: [String: (first: ReorgWindow.Difference, blocks: Int)] = [:]
        let compared = targets.filter { held.windows[$0] != nil }
        let afters = try rereadAll(compared, window: window, day: previous, extractor: extractor)
        for target in compared {
            guard let before = held.windows[target], let after = afters[target] else { continue }
            summary.targets += 1
            for difference in ReorgWindow.differences(before: before, after: after) {
                summary.mismatches += 1
                for token in difference.tokens {
                    if let existing = byToken[token] {
                        byToken[token] = (existing.first, existing.blocks + 1)
                    } else {
                        byToken[token] = (difference, 1)
                    }
                }
            }
        }
        summary.calls = extractor.requestCount - callsBefore

        let baselineName = held.origin == .store ? "store" : "checkpoint"
        let marks = byToken.keys.sorted().map { token in
            let (first, blocks) = byToken[token]!
            let more = blocks > 1 ? " and \(blocks - 1) more block\(blocks > 2 ? "s" : "")" : ""
            return RefetchLedger.Mark(
                chainID: chain.chainID, token: token, reason: first.reason(baseline: baselineName) + more)
        }
        do {
            summary.marked = try baseline.mark(marks, day: previous)
        } catch {
            throw ExtractError.reorgNotMarked(
                chain: chain.name, day: previous, reason: marks.first?.reason ?? "", underlying: error)
        }
        for token in byToken.keys.sorted() {
            let (first, blocks) = byToken[token]!
            record(first, token: token, blocks: blocks, day: previous, baseline: baselineName)
        }
        logger.info(
            "reorg check finished",
            metadata: [
                "chain": "\(chain.name)", "reorg.partition": "\(previous)", "reorg.baseline": "\(baselineName)",
                "reorg.window": "\(window.lowerBound)-\(window.upperBound)", "reorg.calls": "\(summary.calls)",
                "reorg.mismatches": "\(summary.mismatches)", "reorg.marked": "\(summary.marked)",
            ])
        return summary
    }

    /// Re-reads every target's window, several at once (up to the chain's `max_in_flight`; the
    /// key's in-flight gate and bucket pace them), each walk still one call for a window that
    /// fits in a page.
    private func rereadAll(
        _ compared: [ExtractionTarget], window: ClosedRange<Int>, day: PartitionDay, extractor: TransferExtractor
    ) throws -> [ExtractionTarget: ReorgWindow] {
        final class Results: @unchecked Sendable {
            // `@unchecked`: `windows` is guarded by `lock`; `check` is only read.
            let lock = NSLock()
            var windows: [ExtractionTarget: ReorgWindow] = [:]
            let check: ReorgCheck
            init(check: ReorgCheck) { self.check = check }
        }
        let results = Results(check: self)
        let pool = OrderedWalkPool(
            threads: max(1, min(chain.maxInFlight, compared.count)), spillDirectory: nil, output: { _ in })
        try pool.run(
            compared.map { target in
                { _ in
                    let after = try results.check.reread(target, window: window, day: day, extractor: extractor)
                    results.lock.withLock { results.windows[target] = after }
                }
            })
        return results.windows
    }

    /// The explorer's rows of `target` in `window` now, as normalize would read them for `day`.
    private func reread(
        _ target: ExtractionTarget, window: ClosedRange<Int>, day: PartitionDay, extractor: TransferExtractor
    )
        throws -> ReorgWindow
    {
        var builder = ReorgWindowBuilder(chainID: chain.chainID, day: day, blocks: window)
        var line = JSONLineWriter(capacity: 4096)
        let chainID = chain.chainID
        do {
            try extractor.extract(target: target, fromBlock: window.lowerBound, toBlock: window.upperBound) { row in
                line.reset()
                row.writeLine(into: &line, chainID: chainID)
                // Without the newline, as checkpoint readers hand lines out.
                try line.bytes.withUnsafeBytes {
                    try builder.add(line: UnsafeRawBufferPointer(rebasing: $0.dropLast()))
                }
            }
        } catch let error as ExplorerError {
            throw ExtractError.explorer(chain: chain.name, target: "reorg check of \(target)", underlying: error)
        }
        return builder.window
    }

    /// The `reorg` event and warning for one marked token.
    private func record(
        _ difference: ReorgWindow.Difference, token: String, blocks: Int, day: PartitionDay, baseline: String
    ) {
        let details = [
            "chain": chain.name, "chain.id": "\(chain.chainID)", "partition": "\(day)", "token": token,
            "block": "\(difference.block)", "hash.before": difference.hashesBefore.joined(separator: ","),
            "hash.after": difference.hashesAfter.joined(separator: ","),
            "transfers.only_before": "\(difference.onlyBefore)", "transfers.only_after": "\(difference.onlyAfter)",
            "blocks.changed": "\(blocks)", "baseline": baseline,
        ]
        event(
            ExtractionEventRecord(
                kind: "reorg", message: "previous day changed at the explorer, marked for reload", details: details))
        logger.warning(
            "reorg detected, previous day marked for reload",
            metadata: details.reduce(into: Logger.Metadata()) { $0["reorg.\($1.key)"] = "\($1.value)" })
    }
}

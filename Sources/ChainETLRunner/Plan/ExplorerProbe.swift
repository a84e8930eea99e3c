import ChainETLCore
import ChainETLExplorers
import ChainETLStages
import Foundation
import Logging

/// `chainetl plan --probe`: a few live calls per chain to measure a day's blocks and row density.
///
/// Per (stage, chain): the head and the day's block range (3 calls), then one first page of the
/// day for up to `sampledTargets` targets. A short page is the target's whole day; a full page
/// covering `b` of the day's `B` blocks extrapolates to `offset × B / b` rows. Calls go through
/// the process's token bucket for the key; they are not counted in `etl_api_quota` (the plan
/// reports them instead).
struct ExplorerProbe {
    struct Result: Sendable, Equatable {
        var day: PartitionDay
        var blocksPerDay: Int
        /// Average rows per target per day over the sampled targets.
        var rowsPerTarget: Double
        /// Calls the probe sent, retries included.
        var calls: Int
    }

    static let sampledTargets = 3

    let environment: [String: String]
    let transport: any HTTPTransport
    let rateLimiters: RateLimiterRegistry
    let logger: Logger

    func sample(_ scope: ExtractionScope, day: PartitionDay) throws -> Result {
        let access = try ChainExplorerAccess(chain: scope.chain, environment: environment)
        let extractor = TransferExtractor(
            source: scope.source, endpoint: access.endpoint, transport: transport,
            limiter: rateLimiters.bucket(for: access.fingerprint, ratePerSecond: scope.chain.ratePerSecond),
            offset: scope.offset, logger: logger)
        _ = try extractor.headBlockNumber()
        let range = try extractor.resolve(day: day)
        var rows: [Double] = []
        for target in scope.targets.prefix(Self.sampledTargets) where !range.isEmpty {
            let page = try extractor.client.transfers(
                source: scope.source, target: target,
                window: BlockWindowWalker.Request(
                    fromBlock: range.firstBlock, toBlock: range.lastBlock, page: 1, offset: extractor.offset),
                using: extractor.executor)
            if page.count < extractor.offset {
                rows.append(Double(page.count))
            } else {
                let covered = max(1, (page.last?.blockNumber ?? range.lastBlock) - range.firstBlock + 1)
                rows.append(Double(page.count) * Double(range.blockCount) / Double(covered))
            }
        }
        return Result(
            day: day, blocksPerDay: range.blockCount,
            rowsPerTarget: rows.isEmpty ? 0 : rows.reduce(0, +) / Double(rows.count), calls: extractor.requestCount)
    }
}

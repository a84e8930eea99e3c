import ChainETLCore
import ChainETLExplorers
import ChainETLPostgres
import ChainETLStages
import Foundation
import Logging

/// Where `status` gets a chain's current head block.
public protocol ChainHeadSource {
    /// The head block number of `chain` as its explorer sees it now; throws when it cannot be asked.
    func headBlock(of chain: ChainSpec) throws -> Int
}

/// Asks the chain's explorer (`eth_blockNumber` / `eth_block_number`) through `TransferExtractor`,
/// so the call shares the process's rate limiter and counts against the key's daily quota.
///
/// Status must answer quickly when an explorer is down: two attempts, a 10 s timeout, short backoff.
public struct ExplorerChainHeadSource: ChainHeadSource {
    let environment: [String: String]
    let transport: any HTTPTransport
    let quotaStore: (any QuotaStore)?
    let logger: Logger

    /// - Parameter quotaConnection: where to count the calls (`etl_api_quota`); nil counts nothing.
    public init(
        environment: [String: String], quotaConnection: PostgresConnection?,
        transport: any HTTPTransport = URLSessionTransport(), logger: Logger
    ) {
        self.environment = environment
        self.transport = transport
        self.quotaStore = quotaConnection.map { PostgresQuotaStore(borrowing: $0) }
        self.logger = logger
    }

    public func headBlock(of chain: ChainSpec) throws -> Int {
        let apiKey = chain.apiKeyEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
        let endpoint = try ExplorerEndpoint(
            baseURL: chain.baseURL, chainID: chain.chainID, apiKey: apiKey, sendsChainID: chain.explorer == .etherscan,
            timeout: 10)
        let source: ExplorerSourceKind = chain.explorer == .blockscout ? .blockscoutTokenTransfers : .etherscanLogs
        let quota = quotaStore.map {
            DailyQuotaGate(store: $0, fingerprint: endpoint.keyFingerprint, dailyLimit: chain.ratePerDay)
        }
        let extractor = TransferExtractor(
            source: source, endpoint: endpoint, transport: transport,
            limiter: RateLimiterRegistry.shared.bucket(apiKey: apiKey, ratePerSecond: chain.ratePerSecond),
            quota: quota, retryPolicy: RetryPolicy(baseDelay: 0.5, maximumDelay: 2, maximumAttempts: 2),
            logger: logger)
        return try extractor.headBlockNumber()
    }
}

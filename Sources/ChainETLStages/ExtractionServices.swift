import ChainETLExplorers
import Foundation
import Logging

/// Process-wide services shared by every stage of one run: one token bucket per API key, one
/// HTTP transport, one daily quota store, and the environment API keys are read from.
///
/// SPEC §4: "all extraction in one process shares one rate limiter per API key". The runner makes
/// one `ExtractionServices` per run and hands it to every unit, whatever worker thread runs it.
/// Everything here is thread-safe; the transport and the quota store are created on first use, so
/// a run without extract stages opens no HTTP session and no extra database connection.
public final class ExtractionServices: @unchecked Sendable {
    // `@unchecked`: the lazily created members are guarded by `lock`; the rest is immutable.
    /// One token bucket per API key fingerprint.
    public let rateLimiters: RateLimiterRegistry
    /// Where `api_key_env` variables are read; the key values never leave the extraction code.
    public let environment: [String: String]
    /// Backoff for retryable explorer failures (SPEC §5: 1 s doubling to 60 s, bounded attempts).
    public let retryPolicy: RetryPolicy

    private let lock = NSLock()
    private let makeTransport: @Sendable () -> any HTTPTransport
    private let makeQuotaStore: @Sendable (Logger) -> any QuotaStore
    private var transportInstance: (any HTTPTransport)?
    private var quotaStoreInstance: (any QuotaStore)?

    /// The production services: `RateLimiterRegistry.shared`, a `URLSessionTransport`, and a
    /// `PostgresQuotaStore` on its own connection to `databaseURL` (else `DATABASE_URL`, else `PG*`).
    ///
    /// - Parameter sharedRateBudget: every key's per-second limit is shared with the other runners
    ///   on the database through a `PostgresRateBudget` (`--claim`, `--shared-rate-budget`); the
    ///   process keeps sharing from then on (the registry is process-wide).
    public convenience init(
        databaseURL: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        sharedRateBudget: Bool = false, logger: Logger? = nil
    ) {
        self.init(
            rateLimiters: .shared, environment: environment, retryPolicy: RetryPolicy(),
            transport: { URLSessionTransport() },
            quotaStore: { logger in PostgresQuotaStore(databaseURL: databaseURL, logger: logger) })
        if sharedRateBudget {
            let budgetLogger = logger ?? Logger(label: "chainetl.rate-budget")
            rateLimiters.shareBudget(PostgresRateBudget(databaseURL: databaseURL, logger: budgetLogger))
        }
    }

    /// Services built from the given parts (tests, the bench, runs without a database).
    public init(
        rateLimiters: RateLimiterRegistry, environment: [String: String], retryPolicy: RetryPolicy = RetryPolicy(),
        transport: @escaping @Sendable () -> any HTTPTransport,
        quotaStore: @escaping @Sendable (Logger) -> any QuotaStore
    ) {
        self.rateLimiters = rateLimiters
        self.environment = environment
        self.retryPolicy = retryPolicy
        self.makeTransport = transport
        self.makeQuotaStore = quotaStore
    }

    /// The HTTP transport every extraction in the process uses.
    public var transport: any HTTPTransport {
        lock.withLock {
            if let transportInstance { return transportInstance }
            let created = makeTransport()
            transportInstance = created
            return created
        }
    }

    /// The daily quota store, created on first use with the first caller's logger.
    public func quotaStore(logger: Logger) -> any QuotaStore {
        lock.withLock {
            if let quotaStoreInstance { return quotaStoreInstance }
            let created = makeQuotaStore(logger)
            quotaStoreInstance = created
            return created
        }
    }
}

import ChainETLExplorers
import Foundation

/// What a day's extraction draws from outside itself: the process-wide rate limiters and HTTP
/// transport, the daily quota store, the environment holding API keys, the retry policy, and the
/// reorg check's baseline.
///
/// Built from `ExtractionServices` by the stages; tests build one directly.
struct ExtractionDependencies {
    var rateLimiters: RateLimiterRegistry
    var transport: any HTTPTransport
    /// The daily quota counter, opened on first use (only chains with `per_day` use it).
    var quotaStore: () throws -> any QuotaStore
    /// Where `api_key_env` variables are looked up.
    var environment: [String: String]
    var retryPolicy: RetryPolicy
    var currentDate: @Sendable () -> Date
    /// What the reorg check compares the previous day with, and where it marks it; nil skips the check.
    var reorgBaseline: (any ReorgBaseline)? = nil
    /// Where Blockscout v2 walks keep their rows until they can be written oldest first (an
    /// unlinked temporary file); nil means the system temporary directory.
    var spillDirectory: URL? = nil
    /// Day ranges already resolved (`DayBlockRangeCache.shared` in a run, so every stage of the
    /// process reuses them; a fresh cache by default, so tests stay independent).
    var dayRanges = DayBlockRangeCache()
}

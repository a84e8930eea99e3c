import ChainETLCore

/// Every failure of explorer extraction, classified as retryable or fatal.
///
/// Each case that comes from a request carries the request's *redacted* URL, so a message can be
/// shown, logged and stored without leaking the API key.
public indirect enum ExplorerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The connection failed, timed out or dropped before a full response arrived (retryable).
    case transport(TransportFailure, request: RedactedURL)
    /// The server answered with an HTTP status other than 200 (429 and 5xx are retryable).
    case httpStatus(Int, detail: String, request: RedactedURL)
    /// The body is not the JSON envelope expected: truncated or malformed (retryable).
    case malformedResponse(String, request: RedactedURL)
    /// The explorer throttled the call, e.g. "Max calls per sec rate limit reached" (retryable).
    case rateLimited(String, request: RedactedURL)
    /// The explorer reported a transient overload, e.g. "temporarily unavailable" (retryable).
    case temporarilyUnavailable(String, request: RedactedURL)
    /// "Query Timeout occured": the block window must be split.
    case queryTimeout(String, request: RedactedURL)
    /// "Result window is too large": page × offset exceeds what the explorer serves.
    case resultWindowTooLarge(String, request: RedactedURL)
    /// The API key is missing or invalid (fatal).
    case invalidAPIKey(String, request: RedactedURL)
    /// The chain is not available on the key's plan (fatal).
    case chainNotOnPlan(String, request: RedactedURL)
    /// The explorer refused the parameters: bad action, address or chain id (fatal).
    case invalidRequest(String, request: RedactedURL)
    /// Any other error text from the explorer (fatal: unknown errors are never retried blindly).
    case explorerRejected(String, request: RedactedURL)
    /// The rows break the contract the walker relies on (outside the window, not ascending).
    case unexpectedRows(String, request: RedactedURL)
    /// A retryable failure kept happening until the attempts ran out.
    case retriesExhausted(attempts: Int, last: ExplorerError)
    /// The key's daily call quota is used up.
    case dailyQuotaExhausted(fingerprint: String, day: PartitionDay, used: Int, limit: Int)
    /// One block holds more rows than the explorer can page through; extracting it would truncate.
    case blockTooDense(chainID: Int, target: String, block: Int, rowsSeen: Int, reason: String)
    /// The extraction was configured with impossible values.
    case invalidConfiguration(String)
    /// A local temporary file (the Blockscout v2 reversal spill) could not be used; `code` is errno.
    case localFile(operation: String, path: String, code: Int32)

    /// Whether backing off and sending the same request again can succeed.
    public var isRetryable: Bool {
        switch self {
        case .transport, .malformedResponse, .rateLimited, .temporarilyUnavailable:
            return true
        case .httpStatus(let status, _, _):
            return status == 429 || status == 408 || (500...599).contains(status)
        case .queryTimeout, .resultWindowTooLarge, .invalidAPIKey, .chainNotOnPlan, .invalidRequest,
            .explorerRejected, .unexpectedRows, .retriesExhausted, .dailyQuotaExhausted, .blockTooDense,
            .invalidConfiguration, .localFile:
            return false
        }
    }

    /// Whether the explorer told us to slow down (counted as a throttle in `etl_events`).
    public var isThrottle: Bool {
        switch self {
        case .rateLimited: return true
        case .httpStatus(let status, _, _): return status == 429
        default: return false
        }
    }

    /// A few words naming the failure for a one-line retry notice: `http 502`, `timeout`,
    /// `rate limited`; never a response body or a URL.
    public var shortReason: String {
        switch self {
        case .transport(let failure, _):
            if case .other = failure { return "transport error" }
            return failure.description
        case .httpStatus(let status, _, _): return "http \(status)"
        case .malformedResponse: return "malformed response"
        case .rateLimited: return "rate limited"
        case .temporarilyUnavailable: return "temporarily unavailable"
        case .queryTimeout: return "query timeout"
        case .resultWindowTooLarge: return "result window too large"
        case .invalidAPIKey: return "invalid api key"
        case .chainNotOnPlan: return "chain not on plan"
        case .invalidRequest: return "invalid request"
        case .explorerRejected: return "explorer error"
        case .unexpectedRows: return "unexpected rows"
        case .retriesExhausted(_, let last): return last.shortReason
        case .dailyQuotaExhausted: return "daily quota exhausted"
        case .blockTooDense: return "block too dense"
        case .invalidConfiguration: return "invalid configuration"
        case .localFile: return "local file error"
        }
    }

    /// The redacted request the error is about, when there is one.
    public var request: RedactedURL? {
        switch self {
        case .transport(_, let request), .httpStatus(_, _, let request), .malformedResponse(_, let request),
            .rateLimited(_, let request), .temporarilyUnavailable(_, let request), .queryTimeout(_, let request),
            .resultWindowTooLarge(_, let request), .invalidAPIKey(_, let request), .chainNotOnPlan(_, let request),
            .invalidRequest(_, let request), .explorerRejected(_, let request), .unexpectedRows(_, let request):
            return request
        case .retriesExhausted(_, let last):
            return last.request
        case .dailyQuotaExhausted, .blockTooDense, .invalidConfiguration, .localFile:
            return nil
        }
    }

    public var description: String {
        switch self {
        case .transport(let failure, let request):
            return "explorer request failed (\(failure)) for GET \(request); retried with backoff"
        case .httpStatus(let status, let detail, let request):
            let tail = detail.isEmpty ? "" : ": \(detail)"
            return "explorer answered http \(status)\(tail) for GET \(request)"
                + (status == 404 ? "; check the chain's base_url in the pipeline file" : "")
        case .malformedResponse(let reason, let request):
            return "explorer sent a malformed or truncated response (\(reason)) for GET \(request)"
        case .rateLimited(let text, let request):
            return "explorer rate limit hit (\(text)) for GET \(request); lower per_second if this persists"
        case .temporarilyUnavailable(let text, let request):
            return "explorer temporarily unavailable (\(text)) for GET \(request)"
        case .queryTimeout(let text, let request):
            return "explorer query timed out (\(text)) for GET \(request); the block window is split"
        case .resultWindowTooLarge(let text, let request):
            return "explorer result window exceeded (\(text)) for GET \(request)"
        case .invalidAPIKey(let text, let request):
            return "explorer rejected the api key (\(text)) for GET \(request); "
                + "check the environment variable named by api_key_env for this chain"
        case .chainNotOnPlan(let text, let request):
            return "explorer plan does not cover this chain (\(text)) for GET \(request); "
                + "upgrade the api plan or use another explorer for this chain"
        case .invalidRequest(let text, let request):
            if text.lowercased().contains("deprecated v1 endpoint") {
                // Etherscan retired its V1 APIs (api.etherscan.io/api, api.bscscan.com/api, …) on
                // 2025-08-15; the chain id and addresses are fine, the base_url is not.
                return "explorer says the chain's base_url is a retired V1 endpoint (\(text)) for GET \(request); "
                    + "set base_url to the V2 multichain API, https://api.etherscan.io/v2/api (chain_id selects "
                    + "the chain; the same key works)"
            }
            return "explorer refused the request parameters (\(text)) for GET \(request); "
                + "check the chain id, token and account addresses in the pipeline file"
        case .explorerRejected(let text, let request):
            return "explorer returned an error (\(text)) for GET \(request); not retried because the text is unknown"
        case .unexpectedRows(let reason, let request):
            return "explorer rows break the window contract (\(reason)) for GET \(request); "
                + "the explorer may ignore sort=asc or the block range"
        case .retriesExhausted(let attempts, let last):
            return "giving up after \(attempts) attempts: \(last); rerun the stage later"
        case .dailyQuotaExhausted(let fingerprint, let day, let used, let limit):
            return "daily api quota exhausted for key \(fingerprint) on \(day) (\(used) of \(limit) calls); "
                + "resume after 00:00 utc or raise per_day"
        case .blockTooDense(let chainID, let target, let block, let rowsSeen, let reason):
            return "block \(block) on chain \(chainID) holds more rows for \(target) than the explorer can page "
                + "(\(rowsSeen) rows seen; \(reason)); refusing to truncate: extract this token with "
                + "etherscan-logs or from a node for this block"
        case .invalidConfiguration(let reason):
            return "invalid explorer configuration: \(reason)"
        case .localFile(let operation, let path, let code):
            return "could not \(operation) temporary file \(path) (errno \(code)); "
                + "check free disk space and permissions there, then rerun the stage"
        }
    }
}

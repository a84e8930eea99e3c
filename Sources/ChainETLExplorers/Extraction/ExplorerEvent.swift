/// A notable event during extraction, for the run ledger (`etl_events`) and logs.
public struct ExplorerEvent: Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// A retryable failure; the request is sent again after `delay`.
        case retry
        /// The server throttled us (rate-limit text or HTTP 429); also retried.
        case throttled
        /// "Query Timeout": the block window was split in half.
        case windowSplit = "window_split"
        /// "Result window is too large": the page size was halved.
        case pageSizeReduced = "page_size_reduced"
        /// The server silently honours fewer rows per page than asked; `message` says how many.
        case pageCapDetected = "page_cap_detected"
    }

    public var kind: Kind
    /// A lowercase sentence; never contains the API key.
    public var message: String
    /// The redacted request concerned.
    public var request: RedactedURL?
    /// The attempt that failed (1 = first), for retries.
    public var attempt: Int?
    /// Seconds waited before the retry.
    public var delay: Double?

    public init(kind: Kind, message: String, request: RedactedURL?, attempt: Int? = nil, delay: Double? = nil) {
        self.kind = kind
        self.message = message
        self.request = request
        self.attempt = attempt
        self.delay = delay
    }
}

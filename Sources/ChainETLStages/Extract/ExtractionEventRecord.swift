import ChainETLExplorers

/// An explorer event (retry, throttle, window split, …) in the stage event shape: a dotted kind, a
/// constant phrase, and the data in `details`. Nothing in it holds an API key: requests are redacted.
struct ExtractionEventRecord: Sendable, Equatable {
    var kind: String
    var message: String
    var details: [String: String]

    init(kind: String, message: String, details: [String: String]) {
        self.kind = kind
        self.message = message
        self.details = details
    }

    init(_ event: ExplorerEvent, chain: String, chainID: Int) {
        switch event.kind {
        case .retry:
            kind = "http.retry"
            message = "\(chain): \(event.message)"
        case .throttled:
            kind = "rate.throttled"
            message = "\(chain): throttled, \(event.message)"
        case .windowSplit:
            kind = "window.split"
            message = "explorer query timed out, block window split"
        case .pageSizeReduced:
            kind = "page.size_reduced"
            message = "explorer result window exceeded, page size reduced"
        case .pageCapDetected:
            kind = "page.cap_detected"
            message = "explorer serves fewer rows per page than asked"
        }
        // Retries and throttles say everything in their one-line message; the full redacted request
        // is in the debug log. Other events keep their reason and request.
        var details = ["chain": chain, "chain.id": "\(chainID)"]
        switch event.kind {
        case .retry, .throttled:
            if let request = event.request { details["endpoint"] = request.endpointSummary }
        case .windowSplit, .pageSizeReduced, .pageCapDetected:
            details["reason"] = event.message
            if let request = event.request { details["request"] = request.text }
        }
        if let attempt = event.attempt { details["attempt"] = "\(attempt)" }
        if let delay = event.delay { details["delay.ms"] = "\(Int((delay * 1000).rounded()))" }
        self.details = details
    }
}

import ChainETLCore

/// Counters behind `GET /_sim/stats`; tests use them to prove how many API calls a stage made.
public struct SimulatorStats: Sendable, Equatable {
    /// Explorer API requests received (everything except `/_sim/…`).
    public var requests = 0
    /// Requests per `module/action` (Blockscout ones prefixed `blockscout:`).
    public var byAction: [String: Int] = [:]
    /// Requests per chain id.
    public var byChain: [Int: Int] = [:]
    /// Responses per HTTP status (dropped connections are not responses).
    public var byStatus: [Int: Int] = [:]
    /// Requests refused by the per-second limit.
    public var throttled = 0
    /// Requests refused by the daily quota.
    public var dailyLimited = 0
    /// Requests refused for a missing or wrong key or a chain outside the plan.
    public var rejected = 0
    /// Faults injected, in total and per kind.
    public var faultsInjected = 0
    public var faultsByKind: [String: Int] = [:]
    /// Result rows sent in complete (non-faulted) answers.
    public var rowsServed = 0
    /// Monotonic arrival times (nanoseconds) of the first and the last explorer API request, so
    /// a client's achieved rate is `requests ÷ requestSpanSeconds` measured where the key is counted.
    public var firstRequestNanoseconds: UInt64?
    public var lastRequestNanoseconds: UInt64?
    /// The most explorer API requests (all keys, admitted or not) that arrived within one second,
    /// counted as the rate limit counts: in every sliding window (t − 1 s, t] at an arrival.
    public var peakRequestsPerSecond = 0
    /// Arrival times within the last second of the latest arrival (for the peak).
    private var recentArrivals: [UInt64] = []

    /// Seconds from the first API request's arrival to the last's (0 with fewer than two).
    public var requestSpanSeconds: Double {
        guard let first = firstRequestNanoseconds, let last = lastRequestNanoseconds, last > first else { return 0 }
        return Double(last - first) / 1e9
    }

    /// Counts one explorer API request that arrived at `nanoseconds` (monotonic).
    mutating func recordArrival(at nanoseconds: UInt64) {
        requests += 1
        if firstRequestNanoseconds == nil { firstRequestNanoseconds = nanoseconds }
        lastRequestNanoseconds = max(lastRequestNanoseconds ?? nanoseconds, nanoseconds)
        let horizon = nanoseconds >= 1_000_000_000 ? nanoseconds - 1_000_000_000 : 0
        recentArrivals.removeAll { $0 <= horizon }
        recentArrivals.append(nanoseconds)
        peakRequestsPerSecond = max(peakRequestsPerSecond, recentArrivals.count)
    }

    public init() {}

    /// The JSON body of `GET /_sim/stats`, keys sorted.
    public var json: String {
        var writer = JSONLineWriter()
        writer.beginObject()
        writer.key("by_action")
        Self.writeCounts(byAction.map { ($0.key, $0.value) }, into: &writer)
        writer.key("by_chain")
        Self.writeCounts(byChain.map { (String($0.key), $0.value) }, into: &writer)
        writer.key("by_status")
        Self.writeCounts(byStatus.map { (String($0.key), $0.value) }, into: &writer)
        writer.key("daily_limited")
        writer.int(dailyLimited)
        writer.key("faults_by_kind")
        Self.writeCounts(faultsByKind.map { ($0.key, $0.value) }, into: &writer)
        writer.key("faults_injected")
        writer.int(faultsInjected)
        writer.key("peak_requests_per_second")
        writer.int(peakRequestsPerSecond)
        writer.key("rejected")
        writer.int(rejected)
        writer.key("request_span_ms")
        writer.int(Int((requestSpanSeconds * 1_000).rounded()))
        writer.key("requests")
        writer.int(requests)
        writer.key("rows_served")
        writer.int(rowsServed)
        writer.key("throttled")
        writer.int(throttled)
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private static func writeCounts(_ counts: [(String, Int)], into writer: inout JSONLineWriter) {
        writer.beginObject()
        for (name, count) in counts.sorted(by: { $0.0 < $1.0 }) {
            writer.key(name)
            writer.int(count)
        }
        writer.endObject()
    }
}

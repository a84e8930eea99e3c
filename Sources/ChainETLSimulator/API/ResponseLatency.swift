/// How long an explorer takes to answer: a base latency plus uniform jitter.
///
/// Stateless like `FaultInjector`: request number `k` (0-based, over API requests in arrival
/// order) always waits the same time for a given seed, so a run with one request at a time is
/// reproducible; with requests in flight the arrival order, and so who gets which draw, varies.
struct ResponseLatency: Sendable {
    let seed: UInt64
    /// The mean answer time, in milliseconds.
    let milliseconds: Int
    /// Answers take `milliseconds ± jitterMilliseconds`, uniformly (jitter ≤ latency).
    let jitterMilliseconds: Int

    var isZero: Bool { milliseconds == 0 && jitterMilliseconds == 0 }

    /// Seconds to wait before answering request `ordinal`.
    func delay(forRequest ordinal: UInt64) -> Double {
        guard !isZero else { return 0 }
        var milliseconds = Double(self.milliseconds)
        if jitterMilliseconds > 0 {
            var rng = SplitMix64(key: StreamTag.latency, seed, ordinal)
            milliseconds += (2 * rng.unit() - 1) * Double(jitterMilliseconds)
        }
        return max(0, milliseconds) / 1_000
    }
}

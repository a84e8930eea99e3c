import ChainETLCore
import Dispatch
import Foundation

/// A monotonic time source that can block the calling thread, injectable so tests never sleep.
public protocol MonotonicClock: Sendable {
    /// Seconds on a monotonic timeline (the origin is arbitrary).
    func now() -> TimeInterval
    /// Blocks the calling thread until `now() >= deadline`.
    func sleep(until deadline: TimeInterval)
}

/// The real clock: `DispatchTime` uptime, blocking sleeps on the calling worker thread.
///
/// A sleep ends early when `CancellationFlag.process` is cancelled (SIGINT/SIGTERM), so a worker
/// waiting for a rate-limit slot or a retry back-off notices the stop at once; the caller checks
/// the flag after waking.
public struct SystemMonotonicClock: MonotonicClock {
    public init() {}

    public func now() -> TimeInterval {
        TimeInterval(DispatchTime.now().uptimeNanoseconds) / 1_000_000_000
    }

    public func sleep(until deadline: TimeInterval) {
        let remaining = deadline - now()
        if remaining > 0 { CancellationFlag.process.sleep(seconds: remaining) }
    }
}

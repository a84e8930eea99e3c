import Foundation

@testable import ChainETLExplorers

/// A clock that never sleeps: `sleep(until:)` jumps time forward and records the wait.
final class ManualClock: MonotonicClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: TimeInterval
    private var waits: [TimeInterval] = []

    init(start: TimeInterval = 1_000) {
        current = start
    }

    func now() -> TimeInterval {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    func sleep(until deadline: TimeInterval) {
        lock.lock()
        defer { lock.unlock() }
        waits.append(max(0, deadline - current))
        current = max(current, deadline)
    }

    func advance(by seconds: TimeInterval) {
        lock.lock()
        defer { lock.unlock() }
        current += seconds
    }

    var sleeps: [TimeInterval] {
        lock.lock()
        defer { lock.unlock() }
        return waits
    }
}

/// SplitMix64: a tiny deterministic generator for jitter in tests.
struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

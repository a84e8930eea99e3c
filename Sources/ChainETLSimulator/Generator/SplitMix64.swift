/// SplitMix64: a tiny, fast, well-mixed pseudo-random generator.
///
/// Every stream the simulator uses is keyed by a hash of its coordinates (seed, chain, block, …),
/// so any block can be generated on its own, in any order, with identical results.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private(set) var state: UInt64

    init(state: UInt64) {
        self.state = state
    }

    /// A stream keyed by its coordinates.
    init(key a: UInt64, _ b: UInt64 = 0, _ c: UInt64 = 0, _ d: UInt64 = 0, _ e: UInt64 = 0) {
        self.state = Self.key(a, b, c, d, e)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.finalize(state)
    }

    /// A uniform integer in `0..<bound` (multiply-high: no division, negligible bias).
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "below(_:) needs a positive bound")
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A uniform integer in `range`.
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// A uniform double in `[0, 1)` with 53 random bits.
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// Poisson-distributed count (Knuth's method; `expMinusLambda` = e^−λ, precomputed by the caller).
    mutating func poisson(expMinusLambda: Double) -> Int {
        var count = 0
        var product = unit()
        while product > expMinusLambda {
            count += 1
            product *= unit()
        }
        return count
    }

    /// The SplitMix64 output function: a bijective avalanche mix of 64 bits.
    static func finalize(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Hashes up to five coordinates into one 64-bit key (order-sensitive).
    static func key(_ a: UInt64, _ b: UInt64 = 0, _ c: UInt64 = 0, _ d: UInt64 = 0, _ e: UInt64 = 0) -> UInt64 {
        var hash: UInt64 = 0x243F_6A88_85A3_08D3
        for part in [a, b, c, d, e] {
            hash = finalize(hash ^ finalize(part &+ 0x9E37_79B9_7F4A_7C15))
        }
        return hash
    }
}

/// Domain tags that keep the simulator's random streams independent of each other.
enum StreamTag {
    static let block: UInt64 = 0xB10C
    static let blockHash: UInt64 = 0xB4A5
    static let transaction: UInt64 = 0x7A5E
    static let account: UInt64 = 0xACC0
    static let token: UInt64 = 0x70CE
    static let fault: UInt64 = 0xFA17
    static let latency: UInt64 = 0x1A7E
}

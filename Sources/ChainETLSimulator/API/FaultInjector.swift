/// Decides, from the seed and a request's ordinal alone, whether that request gets a fault.
///
/// Stateless: request number `k` (0-based, counted over admitted API requests in arrival order)
/// always gets the same decision, so a run is reproducible given its request sequence.
struct FaultInjector: Sendable {
    let seed: UInt64
    let rate: Double
    let kinds: [FaultKind]

    struct Decision: Equatable, Sendable {
        var kind: FaultKind
        /// Seconds to wait (slow).
        var delay: Double
        /// Fraction of the body kept (truncate), in (0, 1).
        var keptFraction: Double
    }

    func decision(forRequest ordinal: UInt64) -> Decision? {
        guard rate > 0, !kinds.isEmpty else { return nil }
        var rng = SplitMix64(key: StreamTag.fault, seed, ordinal)
        guard rng.unit() < rate else { return nil }
        let kind = kinds[rng.below(kinds.count)]
        return Decision(kind: kind, delay: 1 + rng.unit(), keptFraction: 0.05 + 0.9 * rng.unit())
    }
}

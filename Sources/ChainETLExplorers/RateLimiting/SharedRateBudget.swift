import Foundation

/// A per-second rate budget for one API key, shared by every process that uses the key (Postgres
/// in production: `PostgresRateBudget`, docs/scaling.md "One rate budget per key").
///
/// The budget hands out *send slots*: instants on the budget's own clock, `interval` apart, each
/// given to exactly one caller. Every process sends each slot's call no earlier than its instant
/// and not much later (`LeasedSlotPool`), so all processes together stay within the key's limit
/// in every sliding second, as explorers count it.
public protocol SharedRateBudget: Sendable {
    /// Leases `count` consecutive slots `interval` seconds apart, the first no earlier than `lead`
    /// seconds after the budget's clock reads now and after every slot leased before.
    func lease(fingerprint: String, count: Int, interval: TimeInterval, lead: TimeInterval) throws -> RateBudgetLease

    /// The budget's clock now (seconds since the Unix epoch), to place slots on the caller's clock
    /// before the first lease.
    func now() throws -> TimeInterval

    /// Gives the unused tail of `lease` back, from slot `firstUnused` on; only possible while no
    /// one leased after it (returns false otherwise: the slots then simply expire).
    func release(fingerprint: String, lease: RateBudgetLease, firstUnused: Int) throws -> Bool
}

/// Slots leased from a `SharedRateBudget`, in the budget's clock (seconds since the Unix epoch).
public struct RateBudgetLease: Sendable, Equatable {
    /// The first slot's instant.
    public var firstSlot: TimeInterval
    /// Seconds between slots.
    public var interval: TimeInterval
    public var count: Int
    /// The budget's clock when it granted the lease (to place the slots on the caller's clock).
    public var budgetNow: TimeInterval

    public init(firstSlot: TimeInterval, interval: TimeInterval, count: Int, budgetNow: TimeInterval) {
        self.firstSlot = firstSlot
        self.interval = interval
        self.count = count
        self.budgetNow = budgetNow
    }

    /// The instant of slot `index` (0-based).
    public func slot(_ index: Int) -> TimeInterval { firstSlot + Double(index) * interval }

    /// Where the next lease would start if no one leased after this one.
    public var end: TimeInterval { slot(count) }
}

/// What a key's `LeasedSlotPool` did: the coordination cost and the slots lost.
public struct SharedBudgetUsage: Sendable, Equatable {
    /// Lease statements (each one round trip to the budget).
    public var leases = 0
    /// Release statements (each one round trip), and the slots they gave back.
    public var releases = 0
    public var slotsReturned = 0
    /// Slots leased, slots used for a call, slots dropped because no caller could send them in time.
    public var slotsLeased = 0
    public var slotsUsed = 0
    public var slotsExpired = 0
    /// Readings of the budget's clock (two per process, before the first lease; each a round trip).
    public var clockReadings = 0
    /// Calls paced alone because the budget could not be reached.
    public var unsharedCalls = 0

    public init() {}

    /// Round trips to the budget per call sent through it.
    public var roundTripsPerCall: Double? {
        slotsUsed > 0 ? Double(leases + releases + clockReadings) / Double(slotsUsed) : nil
    }
}

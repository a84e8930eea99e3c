import ChainETLCore

/// A (chain, token) pair of one day, the unit reconcile compares.
struct TallyKey: Hashable, Comparable, Sendable {
    var chainID: Int
    /// Lowercase `0x` address.
    var token: String

    static func < (lhs: TallyKey, rhs: TallyKey) -> Bool {
        (lhs.chainID, lhs.token) < (rhs.chainID, rhs.token)
    }
}

/// How many transfers a side holds for one (chain, token, day), and the exact sum of their values.
struct TransferTally: Equatable, Sendable {
    var count = 0
    var sum = WideUnsigned.zero

    /// Whether `self` and `other` differ by at most `partsPerBillion` of the larger, in count and in sum.
    func agrees(with other: TransferTally, partsPerBillion: UInt64) -> Bool {
        if partsPerBillion == 0 { return self == other }
        let scale = ReconcileConfiguration.partsPerBillion
        let counts = (UInt64(Swift.max(count, other.count)), UInt64(abs(count - other.count)))
        guard counts.1.multipliedFullWidth(by: scale) <= counts.0.multipliedFullWidth(by: partsPerBillion) else {
            return false
        }
        let larger = Swift.max(sum, other.sum)
        guard let allowed = larger.multiplied(by: partsPerBillion),
            let difference = sum.distance(to: other.sum).multiplied(by: scale)
        else { return false }
        return difference <= allowed
    }
}

/// The largest share of quarantined rows a normalize run may have and still pass (SPEC §6).
public struct QuarantineThreshold: Sendable, Hashable {
    /// A fraction of rows in, 0...1; the default 0.001 is 0.1 %.
    public var maximumFraction: Double

    /// The SPEC's default: 0.1 % of the rows read.
    public static let `default` = QuarantineThreshold(maximumFraction: 0.001)

    public init(maximumFraction: Double) {
        precondition((0...1).contains(maximumFraction), "quarantine threshold must be within 0...1")
        self.maximumFraction = maximumFraction
    }

    /// Whether `counts` stays within the threshold (quarantined ≤ fraction × rows in).
    public func allows(_ counts: NormalizeCounts) -> Bool {
        Double(counts.quarantined) <= maximumFraction * Double(counts.rowsIn)
    }

    /// Throws `NormalizeError.quarantineThresholdExceeded`, naming the top reasons and the
    /// quarantine file, when `counts` exceeds the threshold.
    public func check(_ counts: NormalizeCounts, quarantineFile: String) throws {
        guard !allows(counts) else { return }
        let reasons = counts.quarantinedByReason.sorted { lhs, rhs in
            lhs.value != rhs.value ? lhs.value > rhs.value : lhs.key < rhs.key
        }
        throw NormalizeError.quarantineThresholdExceeded(
            quarantined: counts.quarantined, rowsIn: counts.rowsIn, maximumFraction: maximumFraction,
            topReasons: reasons.prefix(5).map { "\($0.key) ×\($0.value)" }, quarantineFile: quarantineFile)
    }
}

import ChainETLCore

/// The largest share of quarantined rows a stage may have and still pass (SPEC §6).
///
/// `normalize/transfers` and every stage reading a file (`extract/file`, `normalize/executions`,
/// `load/address-book`, `load/prices`) take it as `quarantine_threshold` in `with:`, with the same
/// default, so a source that turns to garbage fails instead of loading nothing.
public struct QuarantineThreshold: Sendable, Hashable {
    /// A fraction of rows in, 0...1; the default 0.001 is 0.1 %.
    public var maximumFraction: Double

    /// The SPEC's default: 0.1 % of the rows read.
    public static let `default` = QuarantineThreshold(maximumFraction: 0.001)

    /// The `with:` key, for a stage kind's parameter schema.
    static let parameter = StageParameter(
        name: "quarantine_threshold", type: .number,
        description: "largest quarantined share of rows in, as a fraction 0...1 (default 0.001 = 0.1 %)")

    public init(maximumFraction: Double) {
        precondition((0...1).contains(maximumFraction), "quarantine threshold must be within 0...1")
        self.maximumFraction = maximumFraction
    }

    /// Reads `quarantine_threshold` from a stage's `with:` (the default when absent).
    init(spec: StageSpec) throws(ConfigDiagnostic) {
        let parameters = spec.parameters
        let fraction = try parameters.number(Self.parameter.name) ?? Self.default.maximumFraction
        guard fraction.isFinite, (0...1).contains(fraction) else {
            throw ConfigDiagnostic(
                location: parameters.node(Self.parameter.name)?.location ?? spec.location,
                message: "quarantine_threshold must be a fraction between 0 and 1, got \(fraction)",
                hint: "write 0.001 for 0.1 % of the rows read")
        }
        self.init(maximumFraction: fraction)
    }

    /// Whether `quarantined` of `rowsIn` rows stays within the threshold (quarantined ≤ fraction × rows in).
    public func allows(quarantined: Int, rowsIn: Int) -> Bool {
        Double(quarantined) <= maximumFraction * Double(rowsIn)
    }

    /// Whether `counts` stays within the threshold.
    public func allows(_ counts: NormalizeCounts) -> Bool {
        allows(quarantined: counts.quarantined, rowsIn: counts.rowsIn)
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

/// Row accounting of normalize and dedupe, recorded in the manifest.
///
/// The identity `rowsIn == rowsOut + quarantined + duplicates + excluded` must hold for every
/// checkpoint; `checkBalanced()` enforces it. Normalize counts as duplicates only verbatim
/// repeats of one log (same transaction and `logIndex`, e.g. on two explorer pages); dedupe never
/// quarantines or excludes, so each stage's counts balance on their own.
public struct NormalizeCounts: Sendable, Hashable, Codable {
    public var rowsIn = 0
    public var rowsOut = 0
    public var quarantined = 0
    public var duplicates = 0
    public var excluded = 0
    /// Quarantined rows per `QuarantineReason.code`.
    public var quarantinedByReason: [String: Int] = [:]
    /// Excluded rows per `ExclusionReason.code`.
    public var excludedByReason: [String: Int] = [:]

    public init() {}

    public init(
        rowsIn: Int, rowsOut: Int, quarantined: Int = 0, duplicates: Int = 0, excluded: Int = 0,
        quarantinedByReason: [String: Int] = [:], excludedByReason: [String: Int] = [:]
    ) {
        self.rowsIn = rowsIn
        self.rowsOut = rowsOut
        self.quarantined = quarantined
        self.duplicates = duplicates
        self.excluded = excluded
        self.quarantinedByReason = quarantinedByReason
        self.excludedByReason = excludedByReason
    }

    enum CodingKeys: String, CodingKey {
        case rowsIn = "rows_in"
        case rowsOut = "rows_out"
        case quarantined
        case duplicates
        case excluded
        case quarantinedByReason = "quarantined_by_reason"
        case excludedByReason = "excluded_by_reason"
    }

    /// Whether in = out + quarantined + duplicates + excluded, and the per-reason counts add up.
    public var isBalanced: Bool {
        rowsIn == rowsOut + quarantined + duplicates + excluded
            && quarantinedByReason.values.reduce(0, +) == quarantined
            && excludedByReason.values.reduce(0, +) == excluded
    }

    /// Throws `NormalizeError.accountingMismatch` unless the counts balance.
    public func checkBalanced(stage: String, partition: String) throws {
        guard isBalanced else {
            throw NormalizeError.accountingMismatch(stage: stage, partition: partition, counts: self)
        }
    }

    /// Adds `other` (e.g. the counts of another input of the same partition).
    public mutating func add(_ other: NormalizeCounts) {
        rowsIn += other.rowsIn
        rowsOut += other.rowsOut
        quarantined += other.quarantined
        duplicates += other.duplicates
        excluded += other.excluded
        quarantinedByReason.merge(other.quarantinedByReason, uniquingKeysWith: +)
        excludedByReason.merge(other.excludedByReason, uniquingKeysWith: +)
    }

    /// `in=… out=… quarantined=… duplicates=… excluded=…`, for messages.
    public var summary: String {
        "in=\(rowsIn) out=\(rowsOut) quarantined=\(quarantined) duplicates=\(duplicates) excluded=\(excluded)"
    }
}

/// The row accounting of one stage run: every input row ends up in exactly one bucket.
public struct RowCounts: Codable, Sendable, Hashable {
    /// Rows read from the stage's inputs.
    public var rowsIn: Int
    /// Rows written to the stage's output.
    public var rowsOut: Int
    /// Rows set aside as bad input (written to the quarantine side file).
    public var quarantined: Int
    /// Rows dropped as duplicates of a row already written.
    public var duplicates: Int
    /// Rows deliberately left out (not tracked, outside the partition, filtered by config).
    public var excluded: Int

    public init(rowsIn: Int = 0, rowsOut: Int = 0, quarantined: Int = 0, duplicates: Int = 0, excluded: Int = 0) {
        self.rowsIn = rowsIn
        self.rowsOut = rowsOut
        self.quarantined = quarantined
        self.duplicates = duplicates
        self.excluded = excluded
    }

    /// Whether every input row is accounted for: in == out + quarantined + duplicates + excluded.
    public var balances: Bool {
        rowsIn == rowsOut + quarantined + duplicates + excluded
    }

    enum CodingKeys: String, CodingKey {
        case rowsIn = "in"
        case rowsOut = "out"
        case quarantined, duplicates, excluded
    }
}

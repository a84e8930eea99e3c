/// What `TransferNormalizer` did with one raw line.
public enum NormalizeOutcome: Sendable, Hashable {
    /// A canonical record was appended to the records writer.
    case record
    /// The row is invalid; a quarantine line was appended to the quarantine writer.
    case quarantined(reason: QuarantineReason)
    /// The row is valid but not an ERC-20 transfer; nothing was written.
    case excluded(ExclusionReason)
    /// The row repeats a log already normalized (same transaction and `logIndex`); nothing was
    /// written and it is counted in `duplicates`.
    case duplicate
}

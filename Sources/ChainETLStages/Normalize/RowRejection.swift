/// Why `TransferNormalizer.read` produced no record.
enum RowRejection: Error {
    case quarantine(QuarantineReason)
    case exclude(ExclusionReason)
}

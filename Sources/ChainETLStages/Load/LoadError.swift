import ChainETLCore

/// Failures of a `load` stage. Each names the partition or the input line and says what to do.
enum LoadError: Error, CustomStringConvertible {
    /// An input line is not a valid canonical transfer record (`transfer/1`).
    case invalidRecord(input: String, line: Int, field: String?, reason: String)
    /// A record's `block_time` lies outside the partition day being loaded.
    case rowOutsidePartition(input: String, line: Int, blockTime: String, partition: PartitionDay)
    /// The input checkpoint holds records of another schema.
    case unexpectedInputSchema(stage: String, input: String, found: RecordSchema)
    /// A statement of the load failed; the transaction was rolled back, so nothing was loaded.
    case databaseFailed(partition: PartitionDay, table: String, step: String, underlying: any Error)

    var description: String {
        switch self {
        case .invalidRecord(let input, let line, let field, let reason):
            let subject = field.map { "field \($0): " } ?? ""
            return "input \(input), line \(line): \(subject)\(reason); the checkpoint is not a valid transfer/1 "
                + "checkpoint, rerun stage \(input) for this partition with --force"
        case .rowOutsidePartition(let input, let line, let blockTime, let partition):
            return "input \(input), line \(line): block_time \(blockTime) is outside partition \(partition); "
                + "the upstream stage must emit only the partition's day, rerun stage \(input) with --force"
        case .unexpectedInputSchema(let stage, let input, let found):
            return "load stage \(stage) reads \(input), whose records are \(found), not transfer/1; "
                + "make the load need a normalize or dedupe stage"
        case .databaseFailed(let partition, let table, let step, let underlying):
            return "loading partition \(partition) into \(table) failed while \(step): \(underlying); "
                + "the transaction was rolled back and nothing of this load was kept, rerun the load stage"
        }
    }
}

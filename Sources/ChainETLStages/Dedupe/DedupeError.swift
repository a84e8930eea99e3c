import ChainETLCore

/// Failures of the dedupe logic; each names the input and line.
public enum DedupeError: Error, Equatable, CustomStringConvertible {
    /// An input's block numbers go down: it is not sorted by block, so per-block dedupe would miss duplicates.
    case inputNotSorted(input: String, line: Int, block: Int, previousBlock: Int)
    /// An input checkpoint does not hold canonical transfer records.
    case unexpectedInputSchema(input: String, found: RecordSchema, expected: RecordSchema)
    /// A line is not a readable canonical transfer record.
    case malformedRecord(input: String, line: Int, detail: String)

    public var description: String {
        switch self {
        case .inputNotSorted(let input, let line, let block, let previousBlock):
            return "\(input):\(line): block \(block) follows block \(previousBlock); normalize output must be "
                + "sorted by block_number, re-run normalize for this partition"
        case .unexpectedInputSchema(let input, let found, let expected):
            return "input \(input) holds \(found) records, not \(expected); dedupe reads normalize checkpoints: "
                + "fix needs: to name normalize stages"
        case .malformedRecord(let input, let line, let detail):
            return "\(input):\(line): not a canonical transfer record (\(detail)); the checkpoint is corrupt, "
                + "re-run normalize for this partition"
        }
    }
}

import ChainETLCore

/// Failures of the normalize and dedupe logic; each says where and what to do.
public enum NormalizeError: Error, Equatable, CustomStringConvertible {
    /// A valid row's block number is lower than the previous row's: the input is not sorted by block,
    /// so occurrences (counted per block) would be wrong.
    case blockOutOfOrder(line: Int, block: Int, previousBlock: Int)
    /// Within one extraction target's rows of input checkpoint `input`, a block number went down.
    case runOutOfOrder(input: String, line: Int, block: Int, previousBlock: Int)
    /// An input checkpoint does not hold raw explorer rows.
    case unexpectedInputSchema(input: String, found: RecordSchema, expected: RecordSchema)
    /// Too many rows were quarantined for the stage to pass.
    case quarantineThresholdExceeded(
        quarantined: Int, rowsIn: Int, maximumFraction: Double, topReasons: [String], quarantineFile: String)
    /// Row accounting does not balance.
    case accountingMismatch(stage: String, partition: String, counts: NormalizeCounts)

    public var description: String {
        switch self {
        case .blockOutOfOrder(let line, let block, let previousBlock):
            return "raw line \(line) has block \(block) after block \(previousBlock); raw checkpoints must be "
                + "sorted by block ascending (each input separately), re-run extract for this partition"
        case .runOutOfOrder(let input, let line, let block, let previousBlock):
            return "input \(input), raw line \(line): block \(block) follows block \(previousBlock) within one "
                + "extraction target's rows, which extract writes in ascending block order; the checkpoint is damaged "
                + "or was not written by extract: rerun \(input) for this partition (--select \(input)+ --force)"
        case .unexpectedInputSchema(let input, let found, let expected):
            return "input \(input) holds \(found) records, not \(expected); normalize reads extract checkpoints: "
                + "fix needs: to name extract stages"
        case .quarantineThresholdExceeded(let quarantined, let rowsIn, let maximumFraction, let topReasons, let file):
            let share = rowsIn == 0 ? 0 : Double(quarantined) / Double(rowsIn) * 100
            let limit = maximumFraction * 100
            return "quarantined \(quarantined) of \(rowsIn) rows (\(Self.percent(share))%), above the "
                + "\(Self.percent(limit))% threshold; reasons: \(topReasons.joined(separator: ", ")); "
                + "inspect \(file), then fix the source or raise the stage's quarantine_threshold"
        case .accountingMismatch(let stage, let partition, let counts):
            return "row accounting does not balance for stage \(stage), partition \(partition) (\(counts.summary)); "
                + "this is a bug in chainetl, report it with the manifest"
        }
    }

    private static func percent(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

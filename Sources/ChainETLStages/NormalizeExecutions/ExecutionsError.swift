import ChainETLCore

/// Why `normalize/executions` cannot load a partition.
enum ExecutionsError: Error, Equatable, CustomStringConvertible {
    /// The upstream checkpoint does not hold `file-row/1` lines.
    case wrongInput(stage: String, input: String, recordSchema: RecordSchema)

    var description: String {
        switch self {
        case .wrongInput(let stage, let input, let recordSchema):
            "stage \(stage) reads \(input), whose records are \(recordSchema), not file-row/1; "
                + "put an extract/file stage in needs:"
        }
    }
}

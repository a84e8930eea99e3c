import ChainETLCore

/// Failures at the stage boundary: the stage id and partition are always named, the cause kept.
public enum StageError: Error, CustomStringConvertible {
    /// A stage's `run` threw; `underlying` says why.
    case failed(stage: String, partition: PartitionDay, underlying: any Error)
    /// The pipeline names a kind no stage implements.
    case unknownKind(String, location: SourceLocation)
    /// A stage asked for an input it does not declare in `needs:`.
    case undeclaredInput(stage: String, input: String)
    /// A stage needs Postgres but no connection could be opened.
    case databaseUnavailable(stage: String, underlying: any Error)

    public var description: String {
        switch self {
        case .failed(let stage, let partition, let underlying):
            return "stage \(stage) failed for partition \(partition): \(underlying)"
        case .unknownKind(let kind, let location):
            return "\(location): unknown stage kind \(kind); run 'chainetl validate' to list the known kinds"
        case .undeclaredInput(let stage, let input):
            return "stage \(stage) reads \(input) but does not list it in needs:; add it to needs:"
        case .databaseUnavailable(let stage, let underlying):
            return
                "stage \(stage) needs PostgreSQL but could not connect (\(underlying)); check --database-url, DATABASE_URL or PG* variables"
        }
    }

    /// The error a stage threw, without the stage-boundary wrapping.
    public var underlying: (any Error)? {
        switch self {
        case .failed(_, _, let underlying), .databaseUnavailable(_, let underlying): return underlying
        case .unknownKind, .undeclaredInput: return nil
        }
    }
}

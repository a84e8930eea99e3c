import ChainETLCore

/// Why a rerun diff could not be computed. A diff failure never fails the stage: the unit's
/// report carries the message instead of the counts.
enum DiffError: Error, CustomStringConvertible {
    /// A temporary spill file could not be written or read.
    case spill(path: String, reason: String)
    /// A spill file did not hold whole entries (it was changed while the diff ran).
    case corruptSpill
    /// A checkpoint file disagrees with its manifest.
    case corruptCheckpoint(directory: String, file: String, reason: String)
    /// The diff file could not be written.
    case output(path: String, reason: String)

    var description: String {
        switch self {
        case .spill(let path, let reason):
            return "diff spill file \(path): \(reason); check free space in the workdir"
        case .corruptSpill:
            return "a diff spill file was truncated while the diff ran; rerun the stage to diff again"
        case .corruptCheckpoint(let directory, let file, let reason):
            return "checkpoint \(directory), file \(file): \(reason); the diff against it is not possible"
        case .output(let path, let reason):
            return "diff file \(path) not written: \(reason); check that the workdir is writable"
        }
    }
}

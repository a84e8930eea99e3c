import Foundation

/// A failure to write, read or verify a checkpoint or a gzip NDJSON file.
///
/// Every case that belongs to a checkpoint names its stage and partition and the command that
/// rebuilds it, because the operator's only remedy for a bad checkpoint is to rerun its stage.
public enum CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with one file of a finished checkpoint.
    public enum Defect: Sendable, Equatable, CustomStringConvertible {
        /// The file listed in the manifest does not exist.
        case missing
        /// The file's size differs from the manifest.
        case sizeMismatch(expected: Int, actual: Int)
        /// The file's SHA-256 differs from the manifest.
        case sha256Mismatch
        /// The file holds another number of lines than the manifest says.
        case rowCountMismatch(expected: Int, actual: Int)
        /// The gzip stream ends before its end marker.
        case truncated
        /// The bytes are not a valid gzip stream.
        case invalidGzip(String)
        /// The last line has no terminating newline.
        case unterminatedLine
        /// The file cannot be opened or read.
        case unreadable(String)

        public var description: String {
            switch self {
            case .missing: return "is missing"
            case .sizeMismatch(let expected, let actual):
                return "is \(actual) bytes but its manifest says \(expected)"
            case .sha256Mismatch: return "sha256 does not match its manifest"
            case .rowCountMismatch(let expected, let actual):
                return "holds \(actual) rows but its manifest says \(expected)"
            case .truncated: return "is truncated (its gzip stream ends early)"
            case .invalidGzip(let reason): return "is not valid gzip (\(reason))"
            case .unterminatedLine: return "ends with a line that has no newline"
            case .unreadable(let reason): return "cannot be read (\(reason))"
            }
        }
    }

    /// No finished checkpoint exists for the stage and partition.
    case missing(CheckpointLocation)
    /// `_manifest.json` cannot be read or decoded, or contradicts its own location or hash.
    case corruptManifest(CheckpointLocation, reason: String)
    /// The manifest has a format version this chainetl does not understand.
    case unsupportedManifestVersion(CheckpointLocation, version: Int)
    /// The checkpoint holds records of another schema than the reader expects.
    case unexpectedRecordSchema(CheckpointLocation, found: RecordSchema, expected: RecordSchema)
    /// A data or side file does not match its manifest entry.
    case corruptFile(CheckpointLocation, file: String, defect: Defect)
    /// The checkpoint has no side file of that name.
    case unknownSideFile(CheckpointLocation, name: String)
    /// The stage's row counts do not add up, so its checkpoint was not committed.
    case unbalancedCounts(CheckpointLocation, RowCounts)
    /// A side file name that is not a plain `*.ndjson.gz` name, or that is reserved.
    case invalidSideFileName(CheckpointLocation, name: String)
    /// The writer was already committed or discarded.
    case writerClosed(CheckpointLocation)
    /// The device ran out of space (or quota) while writing.
    case diskFull(path: String, location: CheckpointLocation?)
    /// A system call failed.
    case fileSystem(operation: String, path: String, errno: Int32, location: CheckpointLocation?)
    /// A gzip stream ends before its end marker.
    case truncatedGzip(path: String)
    /// Bytes that are not a valid gzip stream.
    case invalidGzip(path: String, reason: String)
    /// The last line of a gzip NDJSON file has no terminating newline.
    case unterminatedLine(path: String)
    /// A line handed to a writer contains a newline byte, which would split it into two rows.
    case lineContainsNewline(path: String, line: Int)
    /// A write to a gzip file that was already finished or abandoned.
    case fileClosed(path: String)
    /// zlib failed to initialise or failed internally (out of memory).
    case zlib(operation: String, path: String, code: Int32)

    public var description: String {
        switch self {
        case .missing(let location):
            return "no finished checkpoint of \(location.subject) at \(location.directory.path); "
                + "run it with \(location.runArguments)"
        case .corruptManifest(let location, let reason):
            return "checkpoint of \(location.subject) is corrupt: \(CheckpointManifest.fileName) \(reason); "
                + "rerun it with \(location.rerunArguments)"
        case .unsupportedManifestVersion(let location, let version):
            return "checkpoint of \(location.subject) has manifest version \(version), but chainetl "
                + "\(ChainETLVersion.string) reads only version \(CheckpointManifest.currentVersion); "
                + "rerun it with \(location.rerunArguments)"
        case .unexpectedRecordSchema(let location, let found, let expected):
            return "checkpoint of \(location.subject) holds '\(found)' records but '\(expected)' is expected; "
                + "rerun it with \(location.rerunArguments)"
        case .corruptFile(let location, let file, let defect):
            return "checkpoint of \(location.subject) is corrupt: \(file) \(defect); "
                + "rerun it with \(location.rerunArguments)"
        case .unknownSideFile(let location, let name):
            return "checkpoint of \(location.subject) has no side file named '\(name)'; "
                + "check the name against its \(CheckpointManifest.fileName)"
        case .unbalancedCounts(let location, let counts):
            return "\(location.subject) reported row counts that do not balance (in \(counts.rowsIn) != "
                + "out \(counts.rowsOut) + quarantined \(counts.quarantined) + duplicates \(counts.duplicates) "
                + "+ excluded \(counts.excluded)), so its checkpoint was not committed; this is a bug in the "
                + "stage kind: report it, then rerun with \(location.rerunArguments)"
        case .invalidSideFileName(let location, let name):
            return "side file name '\(name)' of \(location.subject) is invalid: use a plain file name ending "
                + "in .ndjson.gz that does not start with 'part-'"
        case .writerClosed(let location):
            return "the checkpoint writer of \(location.subject) was already committed or discarded; "
                + "create a new writer"
        case .diskFull(let path, let location):
            var text = "no space left on device while writing \(path)"
            if let location {
                text +=
                    "; free space under \(location.workdir.path), then rerun \(location.subject) "
                    + "with \(location.rerunArguments)"
            } else {
                text += "; free space on that file system and retry"
            }
            return text
        case .fileSystem(let operation, let path, let code, let location):
            var text = "cannot \(operation) \(path): \(String(cString: strerror(code))) (errno \(code))"
            if let location {
                text += "; fix the cause, then rerun \(location.subject) with \(location.rerunArguments)"
            }
            return text
        case .truncatedGzip(let path):
            return "\(path) is truncated: its gzip stream ends early; recreate the file"
        case .invalidGzip(let path, let reason):
            return "\(path) is not valid gzip (\(reason)); recreate the file"
        case .unterminatedLine(let path):
            return "\(path) ends with a line that has no newline; recreate the file"
        case .lineContainsNewline(let path, let line):
            return "line \(line) written to \(path) contains a newline byte; ndjson lines must be "
                + "single-line json, so re-serialize the value before writing it"
        case .fileClosed(let path):
            return "cannot write to \(path): it was already finished; open a new writer"
        case .zlib(let operation, let path, let code):
            return "zlib failed to \(operation) for \(path) (zlib code \(code)); check free memory and retry"
        }
    }
}

extension CheckpointError {
    /// The checkpoint the error is about, when it is about one.
    public var location: CheckpointLocation? {
        switch self {
        case .missing(let location), .corruptManifest(let location, _), .unsupportedManifestVersion(let location, _),
            .unexpectedRecordSchema(let location, _, _), .corruptFile(let location, _, _),
            .unknownSideFile(let location, _), .unbalancedCounts(let location, _),
            .invalidSideFileName(let location, _), .writerClosed(let location):
            return location
        case .diskFull(_, let location), .fileSystem(_, _, _, let location):
            return location
        case .truncatedGzip, .invalidGzip, .unterminatedLine, .lineContainsNewline, .fileClosed, .zlib:
            return nil
        }
    }
}

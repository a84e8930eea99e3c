import Foundation

/// Pulls the lines of one checkpoint file (a part or a side file), verifying it against its
/// manifest entry: the size before the first line; the SHA-256 and row count when `nextLine()`
/// reaches the end. Any disagreement throws `CheckpointError.corruptFile`. Not thread-safe.
public final class CheckpointFileLineReader {
    public let location: CheckpointLocation
    public let file: CheckpointFile
    private let reader: GzipLineReader
    private var finished = false

    init(location: CheckpointLocation, file: CheckpointFile, chunkSize: Int, background: Bool = false) throws {
        self.location = location
        self.file = file
        let path = location.directory.appendingPathComponent(file.name).path
        do {
            reader = try GzipLineReader(path: path, chunkSize: chunkSize, location: location, background: background)
        } catch CheckpointError.fileSystem(_, _, let code, _) where code == ENOENT {
            throw CheckpointError.corruptFile(location, file: file.name, defect: .missing)
        } catch CheckpointError.fileSystem(_, _, let code, _) {
            throw CheckpointError.corruptFile(
                location, file: file.name, defect: .unreadable(String(cString: strerror(code))))
        }
        let size: Int
        do {
            size = try reader.fileSize()
        } catch CheckpointError.fileSystem(_, _, let code, _) {
            throw corrupt(.unreadable(String(cString: strerror(code))))
        }
        guard size == file.bytes else { throw corrupt(.sizeMismatch(expected: file.bytes, actual: size)) }
    }

    /// Lines handed out so far.
    public var linesRead: Int { reader.linesRead }

    /// The next line without its `\n` (valid until the next call), or nil at the verified end.
    public func nextLine() throws -> UnsafeRawBufferPointer? {
        guard !finished else { return nil }
        let line: UnsafeRawBufferPointer?
        do {
            line = try reader.nextLine()
        } catch let error as CheckpointError {
            guard let defect = Self.defect(of: error) else { throw error }
            // Bytes that differ from the manifest explain any decoding failure best.
            if let digest = try? reader.compressedDigest(), digest.sha256 != file.sha256 {
                throw corrupt(.sha256Mismatch)
            }
            throw corrupt(defect)
        }
        if let line { return line }
        finished = true
        try verifyEnd()
        return nil
    }

    /// Throws `corruptFile(.sha256Mismatch)` when the file's bytes differ from its manifest entry;
    /// for a consumer that found a line it cannot read (inflate can turn damaged bytes into
    /// garbled lines long before the end of the file, where the check would otherwise run).
    /// Ends line reading.
    public func checkBytes() throws {
        finished = true
        let digest = try fileDigest()
        guard digest.bytes == file.bytes, digest.sha256 == file.sha256 else { throw corrupt(.sha256Mismatch) }
    }

    private func verifyEnd() throws {
        let digest = try fileDigest()
        guard digest.bytes == file.bytes else {
            throw corrupt(.sizeMismatch(expected: file.bytes, actual: digest.bytes))
        }
        guard digest.sha256 == file.sha256 else { throw corrupt(.sha256Mismatch) }
        guard reader.linesRead == file.rows else {
            throw corrupt(.rowCountMismatch(expected: file.rows, actual: reader.linesRead))
        }
    }

    /// The SHA-256 and size of the whole file, a read failure reported as the file's defect.
    private func fileDigest() throws -> (sha256: String, bytes: Int) {
        do {
            return try reader.compressedDigest()
        } catch CheckpointError.fileSystem(_, _, let code, _) {
            throw corrupt(.unreadable(String(cString: strerror(code))))
        }
    }

    private func corrupt(_ defect: CheckpointError.Defect) -> CheckpointError {
        .corruptFile(location, file: file.name, defect: defect)
    }

    /// The file defect behind a gzip reading error; nil for errors that are not about the file.
    private static func defect(of error: CheckpointError) -> CheckpointError.Defect? {
        switch error {
        case .truncatedGzip: return .truncated
        case .invalidGzip(_, let reason): return .invalidGzip(reason)
        case .unterminatedLine: return .unterminatedLine
        case .fileSystem(_, _, let code, _): return .unreadable(String(cString: strerror(code)))
        default: return nil
        }
    }
}

import Foundation

/// Reads a finished checkpoint, verifying every file against its manifest as it streams.
///
/// Each part's size is checked before its first line; its SHA-256 and row count once it has been
/// read to the end, so a bad part is detected after some of its lines were handed out. That is
/// safe because consumers write into a temporary directory that they discard when reading throws.
public struct CheckpointReader: Sendable {
    public let location: CheckpointLocation
    public let manifest: CheckpointManifest

    /// Bytes read and inflated at a time.
    static let chunkSize = 128 * 1024

    /// Opens the checkpoint at `location` after checking its manifest.
    ///
    /// - Parameter recordSchema: when given, the checkpoint must hold exactly this schema
    ///   (e.g. `transfer/1`); a consumer cannot parse records of a version it does not know.
    public static func open(_ location: CheckpointLocation, expecting recordSchema: String? = nil) throws
        -> CheckpointReader
    {
        guard let manifest = try CheckpointStore.existingManifest(at: location) else {
            throw CheckpointError.missing(location)
        }
        if let recordSchema, manifest.recordSchema != recordSchema {
            throw CheckpointError.unexpectedRecordSchema(location, found: manifest.recordSchema, expected: recordSchema)
        }
        return CheckpointReader(location: location, manifest: manifest)
    }

    /// Calls `body` with every line of every part, in order, without the `\n`.
    ///
    /// The bytes are valid only during the call. Errors thrown by `body` propagate unchanged.
    public func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        for part in manifest.parts {
            try stream(part, body)
        }
    }

    /// Calls `body` with every line of the side file `name` (e.g. `quarantine.ndjson.gz`).
    public func forEachLine(inSideFile name: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let file = manifest.sideFiles.first(where: { $0.name == name }) else {
            throw CheckpointError.unknownSideFile(location, name: name)
        }
        try stream(file, body)
    }

    /// Checks the size, SHA-256, gzip integrity and row count of every part and side file.
    public func verify() throws {
        for file in manifest.parts + manifest.sideFiles {
            try stream(file) { _ in }
        }
    }

    /// Streams one file, throwing `corruptFile` on any disagreement with its manifest entry.
    private func stream(_ file: CheckpointFile, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let path = location.directory.appendingPathComponent(file.name).path
        let reader: GzipLineReader
        do {
            reader = try GzipLineReader(path: path, chunkSize: Self.chunkSize, location: location)
        } catch CheckpointError.fileSystem(_, _, let code, _) where code == ENOENT {
            throw corrupt(file, .missing)
        } catch CheckpointError.fileSystem(_, _, let code, _) {
            throw corrupt(file, .unreadable(String(cString: strerror(code))))
        }
        let size: Int
        do {
            size = try reader.fileSize()
        } catch CheckpointError.fileSystem(_, _, let code, _) {
            throw corrupt(file, .unreadable(String(cString: strerror(code))))
        }
        guard size == file.bytes else { throw corrupt(file, .sizeMismatch(expected: file.bytes, actual: size)) }
        while true {
            let line: UnsafeRawBufferPointer?
            do {
                line = try reader.nextLine()
            } catch let error as CheckpointError {
                guard let defect = Self.defect(of: error) else { throw error }
                // Bytes that differ from the manifest explain any decoding failure best.
                if let digest = try? reader.compressedDigest(), digest.sha256 != file.sha256 {
                    throw corrupt(file, .sha256Mismatch)
                }
                throw corrupt(file, defect)
            }
            guard let line else { break }
            try body(line)
        }
        let digest: (sha256: String, bytes: Int)
        do {
            digest = try reader.compressedDigest()
        } catch CheckpointError.fileSystem(_, _, let code, _) {
            throw corrupt(file, .unreadable(String(cString: strerror(code))))
        }
        guard digest.bytes == file.bytes else {
            throw corrupt(file, .sizeMismatch(expected: file.bytes, actual: digest.bytes))
        }
        guard digest.sha256 == file.sha256 else { throw corrupt(file, .sha256Mismatch) }
        guard reader.linesRead == file.rows else {
            throw corrupt(file, .rowCountMismatch(expected: file.rows, actual: reader.linesRead))
        }
    }

    private func corrupt(_ file: CheckpointFile, _ defect: CheckpointError.Defect) -> CheckpointError {
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

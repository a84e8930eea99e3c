import Foundation

/// Reads a finished checkpoint, verifying every file against its manifest as it streams.
///
/// Each part's size is checked before its first line; its SHA-256 and row count once it has been
/// read to the end, so a bad part is detected after some of its lines were handed out. That is
/// safe because consumers write into a temporary directory that they discard when reading throws.
public struct CheckpointReader: Sendable {
    public let location: CheckpointLocation
    public let manifest: CheckpointManifest

    /// Bytes read and inflated at a time by a `lineReader` (unless it asks for another size).
    public static let chunkSize = 128 * 1024
    /// Bytes read and inflated at a time by `forEachLine` and `verify`, which read one file at a
    /// time on a background thread: 1 MiB chunks hand a buffer between threads 8 times less
    /// often (docs/performance.md).
    public static let streamChunkSize = 1 << 20

    /// Opens the checkpoint at `location` after checking its manifest.
    ///
    /// - Parameter recordSchema: when given, the checkpoint must hold exactly this schema
    ///   (e.g. `transfer/1`); a consumer cannot parse records of a version it does not know.
    public static func open(_ location: CheckpointLocation, expecting recordSchema: RecordSchema? = nil) throws
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
    /// The bytes are valid only during the call. Errors thrown by `body` propagate unchanged,
    /// unless the part they were thrown on is damaged: then it is `corruptFile` for that part.
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

    /// A pull reader over one part (or side file) of this checkpoint, verified like `forEachLine`:
    /// size before the first line, SHA-256 and row count once `nextLine()` returns nil.
    ///
    /// For consumers that read several parts at once (dedupe's k-way merge). `chunkSize` bytes
    /// are read and inflated at a time; a smaller chunk keeps many open readers small. With
    /// `background`, a part larger than a chunk is inflated on a second thread
    /// (`BackgroundInflater`): worth it for one reader at a time, not for many.
    public func lineReader(
        for file: CheckpointFile, chunkSize: Int = Self.chunkSize, background: Bool = false
    ) throws -> CheckpointFileLineReader {
        try CheckpointFileLineReader(location: location, file: file, chunkSize: chunkSize, background: background)
    }

    /// Streams one file, throwing `corruptFile` on any disagreement with its manifest entry.
    ///
    /// One file is read at a time, so it is inflated in the background. When `body` throws, the
    /// file's bytes are checked first: damaged bytes can inflate into garbled lines before the
    /// end-of-file check, and `corruptFile` explains those better than the consumer's error.
    private func stream(_ file: CheckpointFile, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let reader = try lineReader(for: file, chunkSize: Self.streamChunkSize, background: true)
        while let line = try reader.nextLine() {
            do {
                try body(line)
            } catch {
                try reader.checkBytes()
                throw error
            }
        }
    }
}

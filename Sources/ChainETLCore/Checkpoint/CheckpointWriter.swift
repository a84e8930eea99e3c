import Foundation

/// Writes the checkpoint of one (pipeline, partition, stage) unit: gzip NDJSON parts, side files
/// and, last, `_manifest.json`, into a temporary directory that `commit` renames into place.
///
/// A checkpoint directory without the `.tmp-` suffix is always complete: a killed process leaves
/// only a `<stage>.tmp-<random>/` directory, which no reader opens and which the next writer for
/// that stage removes. The runner's per-(pipeline, partition) lock guarantees one writer per stage,
/// so that cleanup never races a live writer. Not thread-safe.
public final class CheckpointWriter {
    public let location: CheckpointLocation
    public let kind: String
    public let recordSchema: RecordSchema
    public let rowsPerPart: Int
    public let compressionLevel: Int32
    /// `<stage>.tmp-<random>/`: where this writer writes until `commit`.
    public let temporaryDirectory: URL
    /// Lines appended to the parts so far.
    public private(set) var rowsWritten = 0

    private enum State { case open, committed, discarded }
    private var state = State.open
    private var currentPart: GzipLineWriter?
    private var finishedParts: [CheckpointFile] = []
    private var sideWriters: [String: GzipLineWriter] = [:]

    /// Prepares a fresh temporary directory for `location`, removing stale ones left by killed runs.
    ///
    /// - Parameters:
    ///   - kind: the stage kind, recorded in the manifest.
    ///   - recordSchema: the parts' record schema, `name/version` (e.g. `transfer/1`).
    ///   - rowsPerPart: lines per part file before the next one starts.
    ///   - compressionLevel: zlib level 0–9; 1 is several times faster than 6 for ~10 % more bytes.
    public init(
        location: CheckpointLocation, kind: String, recordSchema: RecordSchema, rowsPerPart: Int = 1_000_000,
        compressionLevel: Int32 = GzipLineWriter.defaultLevel
    ) throws {
        precondition(rowsPerPart > 0, "rowsPerPart must be positive")
        precondition((0...9).contains(compressionLevel), "zlib level must be 0...9")
        self.location = location
        self.kind = kind
        self.recordSchema = recordSchema
        self.rowsPerPart = rowsPerPart
        self.compressionLevel = compressionLevel
        try CheckpointFileSystem.createDirectory(location.partitionDirectory, location: location)
        try CheckpointStore.removeStaleTemporaryDirectories(of: location)
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        temporaryDirectory = location.partitionDirectory.appendingPathComponent(
            location.temporaryPrefix + suffix, isDirectory: true)
        try CheckpointFileSystem.createDirectory(temporaryDirectory, location: location)
    }

    deinit {
        if state == .open { discard() }
    }

    /// Appends one record line; the writer adds the `\n`.
    public func append(line: UnsafeRawBufferPointer) throws {
        guard state == .open else { throw CheckpointError.writerClosed(location) }
        let part = try currentPart ?? startPart()
        try part.append(line: line)
        rowsWritten += 1
        if part.linesWritten >= rowsPerPart {
            try finishPart()
        }
    }

    /// Appends the line built in `writer` (with or without its trailing `newline()`).
    public func append(_ writer: JSONLineWriter) throws {
        try writer.bytes.withUnsafeBytes { bytes in
            var line = bytes
            if let last = line.last, last == 0x0A {
                line = UnsafeRawBufferPointer(rebasing: line.dropLast())
            }
            try append(line: line)
        }
    }

    /// Ends the current part, if it has lines, so the next line starts a new part.
    ///
    /// Lets a stage keep independent runs in separate parts (normalize writes one block-sorted
    /// run per extraction target, and dedupe merges the parts). Does nothing between parts.
    public func endPart() throws {
        guard state == .open else { throw CheckpointError.writerClosed(location) }
        try finishPart()
    }

    /// The writer of side file `name` (e.g. `quarantine.ndjson.gz`), created on first use.
    ///
    /// Side files are finished by `commit` and recorded, with their row counts, in the manifest.
    public func sideFile(named name: String) throws -> GzipLineWriter {
        guard state == .open else { throw CheckpointError.writerClosed(location) }
        if let existing = sideWriters[name] { return existing }
        guard Self.isValidSideFileName(name) else {
            throw CheckpointError.invalidSideFileName(location, name: name)
        }
        let writer = try GzipLineWriter(
            path: temporaryDirectory.appendingPathComponent(name).path, level: compressionLevel, location: location)
        sideWriters[name] = writer
        return writer
    }

    /// Finishes every file, writes `_manifest.json` and renames the checkpoint into place.
    ///
    /// The replaced checkpoint, if any, becomes `<stage>.prev/` (dropping an older one). Files,
    /// the temporary directory and the partition directory are fsynced, so after a crash either
    /// the old or the new checkpoint is in place, never a mixture.
    ///
    /// - Parameters:
    ///   - configHash: hash of the stage's effective configuration.
    ///   - configParts: the same configuration hashed piece by piece, to name what changed later.
    ///   - inputs: upstream stage id -> upstream manifest `contentHash`.
    ///   - counts: the stage's row accounting; rejected unless it balances.
    ///   - details: stage facts to keep with the data (e.g. the block range).
    ///   - startedAt: when the stage run began, for the timings.
    @discardableResult
    public func commit(
        configHash: String, configParts: [String: String]? = nil, inputs: [String: String], counts: RowCounts,
        details: [String: String] = [:], startedAt: Date
    ) throws -> CheckpointManifest {
        guard state == .open else { throw CheckpointError.writerClosed(location) }
        guard counts.balances else { throw CheckpointError.unbalancedCounts(location, counts) }
        if currentPart != nil { try finishPart() }
        if finishedParts.isEmpty {
            // An empty output still has one (empty) part, so `zcat part-*` works on every checkpoint.
            _ = try startPart()
            try finishPart()
        }
        var sideFiles: [CheckpointFile] = []
        for name in sideWriters.keys.sorted() {
            let summary = try sideWriters[name]!.finish()
            sideFiles.append(
                CheckpointFile(name: name, rows: summary.rows, bytes: summary.compressedBytes, sha256: summary.sha256))
        }
        let finishedAt = Date()
        var manifest = CheckpointManifest(
            pipeline: location.pipeline, partition: location.partition, stageID: location.stageID, kind: kind,
            configHash: configHash, inputs: inputs, recordSchema: recordSchema, counts: counts,
            parts: finishedParts, sideFiles: sideFiles, details: details,
            startedAt: UTCTimestamp.iso8601(startedAt, precision: .milliseconds),
            finishedAt: UTCTimestamp.iso8601(finishedAt, precision: .milliseconds),
            durationMs: max(0, Int((finishedAt.timeIntervalSince(startedAt) * 1000).rounded())))
        manifest.configParts = configParts
        try writeManifest(manifest)
        try CheckpointFileSystem.syncDirectory(temporaryDirectory, location: location)
        if CheckpointFileSystem.exists(location.directory) {
            try CheckpointFileSystem.removeTree(location.previousDirectory, location: location)
            try CheckpointFileSystem.renameItem(location.directory, to: location.previousDirectory, location: location)
        }
        try CheckpointFileSystem.renameItem(temporaryDirectory, to: location.directory, location: location)
        state = .committed
        try CheckpointFileSystem.syncDirectory(location.partitionDirectory, location: location)
        return manifest
    }

    /// Abandons the checkpoint: closes every file and removes the temporary directory.
    ///
    /// Best effort and non-throwing, because it runs on error paths; a directory it fails to
    /// remove is removed by the next writer for the stage.
    public func discard() {
        guard state == .open else { return }
        state = .discarded
        currentPart?.abandon()
        currentPart = nil
        for writer in sideWriters.values { writer.abandon() }
        sideWriters.removeAll()
        try? CheckpointFileSystem.removeTree(temporaryDirectory, location: location)
    }

    /// `part-00000.ndjson.gz`, `part-00001.ndjson.gz`, …
    static func partName(_ index: Int) -> String {
        let digits = String(index)
        return "part-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".ndjson.gz"
    }

    /// A plain `*.ndjson.gz` name that cannot collide with parts, the manifest or hidden files.
    static func isValidSideFileName(_ name: String) -> Bool {
        let suffix = ".ndjson.gz"
        return name.hasSuffix(suffix) && name.count > suffix.count && !name.hasPrefix("part-")
            && !name.hasPrefix(".") && !name.contains("/") && !name.contains("\0")
    }

    /// The chunk size of part files: parts are the large files of a checkpoint, and 1 MiB
    /// chunks hand a buffer between threads 8 times less often than the 128 KiB default
    /// (docs/performance.md). Side files keep the default.
    static let partBufferSize = 1 << 20

    private func startPart() throws -> GzipLineWriter {
        let name = Self.partName(finishedParts.count)
        let part = try GzipLineWriter(
            path: temporaryDirectory.appendingPathComponent(name).path, level: compressionLevel, location: location,
            bufferSize: Self.partBufferSize)
        currentPart = part
        return part
    }

    private func finishPart() throws {
        guard let part = currentPart else { return }
        let summary = try part.finish()
        finishedParts.append(
            CheckpointFile(
                name: Self.partName(finishedParts.count), rows: summary.rows, bytes: summary.compressedBytes,
                sha256: summary.sha256))
        currentPart = nil
    }

    private func writeManifest(_ manifest: CheckpointManifest) throws {
        let path = temporaryDirectory.appendingPathComponent(CheckpointManifest.fileName).path
        let data = try manifest.encoded()
        let descriptor = try CheckpointFileSystem.createFile(path, location: location)
        do {
            try data.withUnsafeBytes { bytes in
                try CheckpointFileSystem.writeAll(
                    descriptor, bytes.baseAddress!, bytes.count, path: path, location: location)
            }
            try CheckpointFileSystem.sync(descriptor, path: path, location: location)
        } catch {
            _ = try? CheckpointFileSystem.closeFile(descriptor, path: path, location: location)
            throw error
        }
        try CheckpointFileSystem.closeFile(descriptor, path: path, location: location)
    }
}

import CZlib
import Foundation

/// What a finished gzip NDJSON file holds: its line count, sizes and the SHA-256 of its bytes.
public struct GzipFileSummary: Sendable, Hashable {
    public var rows: Int
    public var uncompressedBytes: Int
    public var compressedBytes: Int
    /// Lowercase hex SHA-256 of the compressed file.
    public var sha256: String

    public init(rows: Int, uncompressedBytes: Int, compressedBytes: Int, sha256: String) {
        self.rows = rows
        self.uncompressedBytes = uncompressedBytes
        self.compressedBytes = compressedBytes
        self.sha256 = sha256
    }
}

/// Streams `\n`-terminated lines through zlib's deflate into a gzip file.
///
/// The bytes are compressed a buffer (a chunk) at a time, each chunk on its own
/// (`DeflateChunkCompressor`), into one gzip member that any gzip reader reads. Memory is fixed
/// (the input buffers, an output buffer per compressing thread and zlib's state) whatever the file
/// size. Once a file outgrows its first buffer, chunks are compressed on `BackgroundDeflater`
/// threads while the caller keeps appending, so producing lines and compressing them overlap; the
/// bytes written are the same either way. The SHA-256 and size of the compressed bytes are
/// computed as they are written, so the manifest never re-reads a file. Not thread-safe: one
/// writer belongs to one unit of work.
public final class GzipLineWriter {
    /// The default zlib level: level 1 compresses NDJSON about 5x at several times level 6's speed.
    public static let defaultLevel: Int32 = 1
    /// Threads that compress one file's chunks at once: two where there are two cores, so the
    /// deflate of a large checkpoint (its costliest step) never holds one core on its own.
    static let deflateThreads = min(2, max(1, ProcessInfo.processInfo.activeProcessorCount))
    /// Input buffers in circulation once compression runs in the background: the one being
    /// filled, one per compressing thread and three queued, so short stalls on either side do
    /// not stop the other.
    static let bufferCount = deflateThreads + 4

    public let path: String
    /// Lines appended so far.
    public private(set) var linesWritten = 0
    /// Bytes appended so far, newlines included.
    public private(set) var uncompressedBytes = 0
    /// Compressed bytes written to the file so far (known once the file is finished).
    public var compressedBytes: Int { summary?.compressedBytes ?? 0 }

    private let sink: GzipDeflateSink
    private let background: Bool
    private let bufferSize: Int
    /// Every input buffer allocated, freed in `deinit`.
    private var buffers: [UnsafeMutableRawBufferPointer]
    /// The buffer being filled.
    private var input: UnsafeMutableRawBufferPointer
    private var inputCount = 0
    private var deflater: BackgroundDeflater?
    private var summary: GzipFileSummary?
    private var closed = false

    /// Creates (or truncates) `path` and starts a gzip stream at zlib `level` (0–9).
    ///
    /// - Parameter background: compress on a second thread once the file outgrows one buffer.
    public convenience init(path: String, level: Int32 = GzipLineWriter.defaultLevel, background: Bool = true) throws {
        try self.init(path: path, level: level, location: nil, background: background)
    }

    init(
        path: String, level: Int32, location: CheckpointLocation?, bufferSize: Int = 128 * 1024,
        background: Bool = true
    ) throws {
        precondition((0...9).contains(level), "zlib level must be 0...9")
        precondition(bufferSize > 0, "buffer size must be positive")
        self.path = path
        self.background = background
        self.bufferSize = bufferSize
        self.sink = try GzipDeflateSink(path: path, level: level, location: location, bufferSize: bufferSize)
        let first = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        self.input = first
        self.buffers = [first]
    }

    deinit {
        if !closed { abandon() }
        for buffer in buffers { buffer.deallocate() }
    }

    /// Appends `line` plus a `\n`. The line must not contain a newline byte itself.
    public func append(line: UnsafeRawBufferPointer) throws {
        if line.count > 0, memchr(line.baseAddress!, 0x0A, line.count) != nil {
            throw CheckpointError.lineContainsNewline(path: path, line: linesWritten + 1)
        }
        guard !closed else { throw CheckpointError.fileClosed(path: path) }
        if line.count < input.count - inputCount {
            // The common case: the line and its newline fit in the current buffer.
            if line.count > 0 {
                (input.baseAddress! + inputCount).copyMemory(from: line.baseAddress!, byteCount: line.count)
            }
            input[inputCount + line.count] = 0x0A
            inputCount += line.count + 1
        } else {
            try appendBytes(line)
            var newline: UInt8 = 0x0A
            try withUnsafeBytes(of: &newline) { try appendBytes($0) }
        }
        uncompressedBytes += line.count + 1
        linesWritten += 1
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

    /// Appends a line given as text.
    public func append(line: String) throws {
        var copy = line
        try copy.withUTF8 { try append(line: UnsafeRawBufferPointer($0)) }
    }

    /// Ends the gzip stream, writes the rest, fsyncs and closes the file. Idempotent.
    @discardableResult
    public func finish() throws -> GzipFileSummary {
        if let summary { return summary }
        guard !closed else { throw CheckpointError.fileClosed(path: path) }
        closed = true
        do {
            if let deflater {
                self.deflater = nil
                try deflater.finish(input, count: inputCount)
            } else {
                try sink.write(sink.compressor.compress(UnsafeRawPointer(input.baseAddress!), count: inputCount, last: true))
            }
            inputCount = 0
            let digest = try sink.close()
            let result = GzipFileSummary(
                rows: linesWritten, uncompressedBytes: uncompressedBytes, compressedBytes: sink.compressedBytes,
                sha256: digest)
            summary = result
            return result
        } catch {
            sink.abandon()
            throw error
        }
    }

    /// Whether `finish()` has completed.
    public var isFinished: Bool { summary != nil }

    /// Closes the file without ending the stream (the file is left incomplete, to be deleted).
    func abandon() {
        closed = true
        if let deflater {
            self.deflater = nil
            deflater.cancel()
        }
        sink.abandon()
    }

    /// Copies `bytes` into the input buffers, handing each full buffer to deflate.
    private func appendBytes(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            if inputCount == input.count { try flushInput() }
            let count = min(bytes.count - offset, input.count - inputCount)
            (input.baseAddress! + inputCount).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
            inputCount += count
            offset += count
        }
    }

    /// Compresses the full input buffer: on the background threads (started on the first full
    /// buffer), or here when background compression is off.
    private func flushInput() throws {
        guard background else {
            try sink.write(sink.compressor.compress(UnsafeRawPointer(input.baseAddress!), count: inputCount, last: false))
            inputCount = 0
            return
        }
        if deflater == nil {
            var spare: [UnsafeMutableRawBufferPointer] = []
            for _ in 1..<Self.bufferCount {
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
                buffers.append(buffer)
                spare.append(buffer)
            }
            var compressors = [sink.compressor]
            for _ in 1..<Self.deflateThreads { compressors.append(try sink.makeCompressor()) }
            deflater = BackgroundDeflater(sink: sink, compressors: compressors, spare: spare)
        }
        input = try deflater!.submit(input, count: inputCount)
        inputCount = 0
    }
}

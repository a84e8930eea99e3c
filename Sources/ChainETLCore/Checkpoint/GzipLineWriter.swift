import CZlib
import Crypto
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
/// Memory is fixed (an input and an output buffer plus zlib's state) whatever the file size.
/// The SHA-256 and size of the compressed bytes are computed as they are written, so the
/// manifest never re-reads a file. Not thread-safe: one writer belongs to one unit of work.
public final class GzipLineWriter {
    /// The default zlib level: level 1 compresses NDJSON about 5x at several times level 6's speed.
    public static let defaultLevel: Int32 = 1

    public let path: String
    /// Lines appended so far.
    public private(set) var linesWritten = 0
    /// Bytes appended so far, newlines included.
    public private(set) var uncompressedBytes = 0
    /// Compressed bytes written to the file so far.
    public private(set) var compressedBytes = 0

    private let location: CheckpointLocation?
    private var descriptor: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var inputCount = 0
    private let output: UnsafeMutableRawBufferPointer
    private var hasher = SHA256()
    private var summary: GzipFileSummary?
    private var streamOpen = false

    /// Creates (or truncates) `path` and starts a gzip stream at zlib `level` (0–9).
    public convenience init(path: String, level: Int32 = GzipLineWriter.defaultLevel) throws {
        try self.init(path: path, level: level, location: nil)
    }

    init(path: String, level: Int32, location: CheckpointLocation?, bufferSize: Int = 128 * 1024) throws {
        precondition((0...9).contains(level), "zlib level must be 0...9")
        self.path = path
        self.location = location
        self.input = .allocate(byteCount: bufferSize, alignment: 16)
        self.output = .allocate(byteCount: bufferSize, alignment: 16)
        self.stream = .allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
        self.descriptor = -1
        let code = chainetl_deflateInit2(stream, level, 31)
        guard code == Z_OK else {
            throw CheckpointError.zlib(operation: "start deflate", path: path, code: code)
        }
        streamOpen = true
        descriptor = try CheckpointFileSystem.createFile(path, location: location)
    }

    deinit {
        if streamOpen { deflateEnd(stream) }
        if descriptor >= 0 { _ = try? CheckpointFileSystem.closeFile(descriptor, path: path, location: location) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
        output.deallocate()
    }

    /// Appends `line` plus a `\n`. The line must not contain a newline byte itself.
    public func append(line: UnsafeRawBufferPointer) throws {
        if line.count > 0, memchr(line.baseAddress!, 0x0A, line.count) != nil {
            throw CheckpointError.lineContainsNewline(path: path, line: linesWritten + 1)
        }
        try appendBytes(line)
        var newline: UInt8 = 0x0A
        try withUnsafeBytes(of: &newline) { try appendBytes($0) }
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
        guard descriptor >= 0 else { throw CheckpointError.fileClosed(path: path) }
        try deflateInput(flush: Z_FINISH)
        deflateEnd(stream)
        streamOpen = false
        try CheckpointFileSystem.sync(descriptor, path: path, location: location)
        let closing = descriptor
        descriptor = -1
        try CheckpointFileSystem.closeFile(closing, path: path, location: location)
        let digest = TransferIdentity.hex(hasher.finalize())
        let result = GzipFileSummary(
            rows: linesWritten, uncompressedBytes: uncompressedBytes, compressedBytes: compressedBytes, sha256: digest)
        summary = result
        return result
    }

    /// Whether `finish()` has completed.
    public var isFinished: Bool { summary != nil }

    /// Closes the file without ending the stream (the file is left incomplete, to be deleted).
    func abandon() {
        if streamOpen {
            deflateEnd(stream)
            streamOpen = false
        }
        if descriptor >= 0 {
            _ = try? CheckpointFileSystem.closeFile(descriptor, path: path, location: location)
            descriptor = -1
        }
    }

    private func appendBytes(_ bytes: UnsafeRawBufferPointer) throws {
        guard streamOpen, descriptor >= 0 else { throw CheckpointError.fileClosed(path: path) }
        uncompressedBytes += bytes.count
        if bytes.count <= input.count - inputCount {
            if bytes.count > 0 {
                (input.baseAddress! + inputCount).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
                inputCount += bytes.count
            }
            return
        }
        try deflateInput(flush: Z_NO_FLUSH)
        if bytes.count <= input.count {
            (input.baseAddress!).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            inputCount = bytes.count
        } else {
            try deflate(UnsafeMutableRawPointer(mutating: bytes.baseAddress!), count: bytes.count, flush: Z_NO_FLUSH)
        }
    }

    /// Compresses the buffered input (and, with `Z_FINISH`, ends the stream).
    private func deflateInput(flush: Int32) throws {
        try deflate(input.baseAddress!, count: inputCount, flush: flush)
        inputCount = 0
    }

    private func deflate(_ pointer: UnsafeMutableRawPointer, count: Int, flush: Int32) throws {
        stream.pointee.next_in = pointer.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(count)
        while true {
            stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let code = CZlib.deflate(stream, flush)
            guard code == Z_OK || code == Z_STREAM_END || code == Z_BUF_ERROR else {
                throw CheckpointError.zlib(operation: "deflate", path: path, code: code)
            }
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 {
                let chunk = UnsafeRawBufferPointer(start: output.baseAddress!, count: produced)
                try CheckpointFileSystem.writeAll(
                    descriptor, chunk.baseAddress!, produced, path: path, location: location)
                hasher.update(bufferPointer: chunk)
                compressedBytes += produced
            }
            if flush == Z_FINISH {
                if code == Z_STREAM_END { break }
            } else if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 {
                break
            }
        }
        stream.pointee.next_in = nil
    }
}

import CZlib
import Crypto
import Foundation

/// The output end of a `GzipLineWriter`: the file, the gzip header and trailer around the
/// compressed chunks, and the running SHA-256 and size of the bytes written.
///
/// Chunks are compressed independently by `DeflateChunkCompressor`s (`compressor` for the
/// writer's own thread, more from `makeCompressor()` for a `BackgroundDeflater`) and written here
/// in file order. One thread at a time calls `write`: the writer's, or whichever deflater thread's
/// turn it is (the deflater's lock orders them).
final class GzipDeflateSink: @unchecked Sendable {
    let path: String
    private let location: CheckpointLocation?
    private let level: Int32
    private let chunkSize: Int
    private(set) var descriptor: Int32 = -1
    /// The compressor of the writer's own thread (and of the deflater's first thread).
    let compressor: DeflateChunkCompressor
    private var hasher = SHA256()
    private var headerWritten = false
    /// CRC-32 and length (mod 2^32, as the trailer holds it) of the uncompressed bytes so far.
    private var crc: uLong = 0
    private var uncompressedCount: UInt32 = 0
    /// Compressed bytes written to the file so far.
    private(set) var compressedBytes = 0

    init(path: String, level: Int32, location: CheckpointLocation?, bufferSize: Int) throws {
        self.path = path
        self.location = location
        self.level = level
        self.chunkSize = bufferSize
        self.compressor = try DeflateChunkCompressor(level: level, chunkSize: bufferSize, path: path)
        descriptor = try CheckpointFileSystem.createFile(path, location: location)
    }

    deinit {
        closeQuietly()
    }

    /// Another compressor for chunks of this file, for a further deflate thread.
    func makeCompressor() throws -> DeflateChunkCompressor {
        try DeflateChunkCompressor(level: level, chunkSize: chunkSize, path: path)
    }

    /// Writes the next compressed chunk (the gzip header first, before the file's first chunk).
    func write(_ chunk: DeflateChunkCompressor.Output) throws {
        guard descriptor >= 0 else { throw CheckpointError.fileClosed(path: path) }
        if !headerWritten {
            try Self.header(level: level).withUnsafeBytes { try writeBytes($0) }
            headerWritten = true
        }
        try writeBytes(chunk.bytes)
        if chunk.uncompressedCount > 0 {
            crc = crc32_combine(crc, uLong(chunk.crc), .init(chunk.uncompressedCount))
            uncompressedCount &+= UInt32(truncatingIfNeeded: chunk.uncompressedCount)
        }
    }

    /// After the last chunk: writes the gzip trailer (CRC-32 and length), fsyncs and closes the
    /// file, and returns the compressed file's lowercase hex SHA-256.
    func close() throws -> String {
        guard descriptor >= 0, headerWritten else { throw CheckpointError.fileClosed(path: path) }
        var trailer = [UInt8](repeating: 0, count: 8)
        for index in 0..<4 {
            trailer[index] = UInt8(truncatingIfNeeded: UInt32(crc) >> (8 * index))
            trailer[4 + index] = UInt8(truncatingIfNeeded: uncompressedCount >> (8 * index))
        }
        try trailer.withUnsafeBytes { try writeBytes($0) }
        try CheckpointFileSystem.sync(descriptor, path: path, location: location)
        let closing = descriptor
        descriptor = -1
        try CheckpointFileSystem.closeFile(closing, path: path, location: location)
        return LowercaseHex.text(hasher.finalize())
    }

    /// Closes the file without ending the stream (the file is left incomplete, to be deleted).
    func abandon() {
        closeQuietly()
    }

    /// The 10-byte gzip header zlib itself writes: no name, no time, the "fastest" or "best"
    /// hint of the level, and Unix as the system.
    static func header(level: Int32) -> [UInt8] {
        let extraFlags: UInt8 = level == 9 ? 2 : (level < 2 ? 4 : 0)
        return [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, extraFlags, 0x03]
    }

    private func writeBytes(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        try CheckpointFileSystem.writeAll(descriptor, bytes.baseAddress!, bytes.count, path: path, location: location)
        hasher.update(bufferPointer: bytes)
        compressedBytes += bytes.count
    }

    private func closeQuietly() {
        if descriptor >= 0 {
            _ = try? CheckpointFileSystem.closeFile(descriptor, path: path, location: location)
            descriptor = -1
        }
    }
}

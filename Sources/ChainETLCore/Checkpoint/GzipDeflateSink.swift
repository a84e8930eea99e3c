import CZlib
import Crypto
import Foundation

/// The compressing end of a `GzipLineWriter`: zlib's deflate stream, the output file and the
/// running SHA-256 and size of the compressed bytes.
///
/// One thread at a time uses it: the writer's own thread, or its `BackgroundDeflater` while that
/// runs (the deflater's lock hands it over, so every access is ordered).
final class GzipDeflateSink: @unchecked Sendable {
    let path: String
    private let location: CheckpointLocation?
    private(set) var descriptor: Int32 = -1
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer
    private var hasher = SHA256()
    private var streamOpen = false
    /// Compressed bytes written to the file so far.
    private(set) var compressedBytes = 0

    init(path: String, level: Int32, location: CheckpointLocation?, bufferSize: Int) throws {
        self.path = path
        self.location = location
        self.output = .allocate(byteCount: bufferSize, alignment: 16)
        self.stream = .allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
        let code = chainetl_deflateInit2(stream, level, 31)
        guard code == Z_OK else {
            throw CheckpointError.zlib(operation: "start deflate", path: path, code: code)
        }
        streamOpen = true
        descriptor = try CheckpointFileSystem.createFile(path, location: location)
    }

    deinit {
        endStream()
        closeQuietly()
        stream.deinitialize(count: 1)
        stream.deallocate()
        output.deallocate()
    }

    /// Compresses `count` bytes at `pointer` and writes what zlib produces; `Z_FINISH` ends the
    /// gzip member (trailer included).
    func deflate(_ pointer: UnsafeRawPointer?, count: Int, flush: Int32) throws {
        guard streamOpen, descriptor >= 0 else { throw CheckpointError.fileClosed(path: path) }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: pointer?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(count)
        defer { stream.pointee.next_in = nil }
        while true {
            stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let code = CZlib.deflate(stream, flush)
            guard code == Z_OK || code == Z_STREAM_END || code == Z_BUF_ERROR else {
                throw CheckpointError.zlib(operation: "deflate", path: path, code: code)
            }
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 {
                try CheckpointFileSystem.writeAll(descriptor, output.baseAddress!, produced, path: path, location: location)
                hasher.update(bufferPointer: UnsafeRawBufferPointer(start: output.baseAddress!, count: produced))
                compressedBytes += produced
            }
            if flush == Z_FINISH {
                if code == Z_STREAM_END { return }
            } else if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 {
                return
            }
        }
    }

    /// After `deflate(…, flush: Z_FINISH)`: frees zlib's state, fsyncs and closes the file, and
    /// returns the compressed file's lowercase hex SHA-256.
    func close() throws -> String {
        endStream()
        guard descriptor >= 0 else { throw CheckpointError.fileClosed(path: path) }
        try CheckpointFileSystem.sync(descriptor, path: path, location: location)
        let closing = descriptor
        descriptor = -1
        try CheckpointFileSystem.closeFile(closing, path: path, location: location)
        return TransferIdentity.hex(hasher.finalize())
    }

    /// Frees zlib's state and closes the file without ending the stream (the file is left
    /// incomplete, to be deleted).
    func abandon() {
        endStream()
        closeQuietly()
    }

    private func endStream() {
        if streamOpen {
            deflateEnd(stream)
            streamOpen = false
        }
    }

    private func closeQuietly() {
        if descriptor >= 0 {
            _ = try? CheckpointFileSystem.closeFile(descriptor, path: path, location: location)
            descriptor = -1
        }
    }
}

import CZlib

/// Compresses one chunk of a gzip file's bytes at a time, each chunk on its own (pigz's
/// "independent blocks"): a raw deflate stream, reset before every chunk, so no match reaches
/// back into an earlier chunk and any number of compressors can work on consecutive chunks at
/// once.
///
/// A chunk that is not the last ends with a sync flush (an empty stored block), so it ends on a
/// byte boundary and the next chunk's blocks follow it directly; the last chunk ends with the
/// final block. Concatenated in order between a gzip header and trailer, the chunks are one
/// ordinary gzip member, the same bytes whichever compressor did which chunk.
final class DeflateChunkCompressor: @unchecked Sendable {
    /// What one `compress` call produced; valid until the next call.
    struct Output {
        var bytes: UnsafeRawBufferPointer
        /// CRC-32 of the chunk's uncompressed bytes.
        var crc: UInt32
        var uncompressedCount: Int
    }

    private let path: String
    private let level: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private var buffer: UnsafeMutableRawBufferPointer

    init(level: Int32, chunkSize: Int, path: String) throws {
        self.path = path
        self.level = level
        self.stream = .allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
        let code = chainetl_deflateInit2(stream, level, -15)
        guard code == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw CheckpointError.zlib(operation: "start deflate", path: path, code: code)
        }
        // deflateBound covers a chunk finished in one call; the sync flush adds at most 5 bytes.
        let bound = Int(deflateBound(stream, uLong(chunkSize))) + 64
        self.buffer = .allocate(byteCount: bound, alignment: 16)
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        buffer.deallocate()
    }

    /// Compresses `count` bytes at `pointer` as the next chunk (`last`: the file's final chunk,
    /// which may be empty).
    func compress(_ pointer: UnsafeRawPointer?, count: Int, last: Bool) throws -> Output {
        var code = chainetl_deflateReset(stream, level)
        guard code == Z_OK else { throw CheckpointError.zlib(operation: "deflate", path: path, code: code) }
        let input = pointer?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input)
        stream.pointee.avail_in = uInt(count)
        defer { stream.pointee.next_in = nil }
        var produced = 0
        let flush = last ? Z_FINISH : Z_SYNC_FLUSH
        while true {
            if produced == buffer.count { grow() }
            stream.pointee.next_out = (buffer.baseAddress! + produced).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(buffer.count - produced)
            code = CZlib.deflate(stream, flush)
            guard code == Z_OK || code == Z_STREAM_END || code == Z_BUF_ERROR else {
                throw CheckpointError.zlib(operation: "deflate", path: path, code: code)
            }
            produced = buffer.count - Int(stream.pointee.avail_out)
            // Done when the final block is out, or (sync flush) when deflate left output room:
            // a full buffer may hold back the rest of the flush.
            if last ? code == Z_STREAM_END : stream.pointee.avail_out != 0 { break }
        }
        let crc = count == 0 ? 0 : UInt32(crc32_z(0, input, z_size_t(count)))
        return Output(
            bytes: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: produced), crc: crc,
            uncompressedCount: count)
    }

    /// Doubles the output buffer, keeping what it holds (only if deflateBound was exceeded).
    private func grow() {
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
        larger.copyMemory(from: UnsafeRawBufferPointer(buffer))
        buffer.deallocate()
        buffer = larger
    }
}

import CZlib
import Crypto
import Foundation

/// The decompressing end of a `GzipLineReader`: the file, zlib's inflate stream and the running
/// SHA-256 and size of the compressed bytes read so far.
///
/// Concatenated gzip members are read as one stream, as `zcat` does; a stream that ends early is
/// an error, never a silent short read. One thread at a time uses it: the reader's own thread, or
/// its `BackgroundInflater` while that runs (the inflater's lock hands it over).
final class GzipInflateSource: @unchecked Sendable {
    let path: String
    private let location: CheckpointLocation?
    private var descriptor: Int32 = -1
    private let stream: UnsafeMutablePointer<z_stream>
    private var streamOpen = false
    private let input: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    private var memberEnded = false
    private var hasher = SHA256()
    private var digest: (sha256: String, bytes: Int)?
    /// A decoding error met after some bytes were produced, thrown by the next `fill`.
    private var failure: CheckpointError?
    /// Compressed bytes read from the file so far.
    private var compressedBytesRead = 0

    init(path: String, chunkSize: Int, location: CheckpointLocation?) throws {
        self.path = path
        self.location = location
        self.input = .allocate(byteCount: chunkSize, alignment: 16)
        self.stream = .allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
        let code = chainetl_inflateInit2(stream, 31)
        guard code == Z_OK else {
            throw CheckpointError.zlib(operation: "start inflate", path: path, code: code)
        }
        streamOpen = true
        descriptor = try CheckpointFileSystem.openForReading(path, location: location)
    }

    deinit {
        if streamOpen { inflateEnd(stream) }
        if descriptor >= 0 { _ = try? CheckpointFileSystem.closeFile(descriptor, path: path, location: location) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// The size of the compressed file on disk.
    func fileSize() throws -> Int {
        try CheckpointFileSystem.size(descriptor, path: path, location: location)
    }

    /// Inflates at most `capacity` bytes into `output`: the count produced, at least 1, or 0 once
    /// the file has ended at a member boundary (and on every later call).
    ///
    /// - Throws: `truncatedGzip` when the file ends inside a member, `invalidGzip` on bad data.
    func fill(_ output: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        precondition(capacity > 0, "nothing to fill")
        if let failure { throw failure }
        while true {
            if stream.pointee.avail_in == 0 && !inputEnded {
                let count = try readInput()
                if count > 0 {
                    stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_in = uInt(count)
                }
            }
            if stream.pointee.avail_in == 0 && inputEnded {
                guard memberEnded, compressedBytesRead > 0 else { throw CheckpointError.truncatedGzip(path: path) }
                return 0
            }
            if memberEnded {
                // Another gzip member follows (e.g. files joined with `cat`).
                inflateReset(stream)
                memberEnded = false
            }
            stream.pointee.next_out = output.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(capacity)
            let code = inflate(stream, Z_NO_FLUSH)
            let produced = capacity - Int(stream.pointee.avail_out)
            switch code {
            case Z_OK, Z_BUF_ERROR:
                break
            case Z_STREAM_END:
                memberEnded = true
            default:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib code \(code)"
                let error = CheckpointError.invalidGzip(path: path, reason: reason)
                // What inflate produced before it failed is handed out first, whatever the
                // capacity asked for, so every caller sees the same bytes before the error.
                guard produced > 0 else { throw error }
                failure = error
                return produced
            }
            if produced > 0 { return produced }
        }
    }

    /// The SHA-256 (lowercase hex) and size of the whole compressed file: reads the rest of the
    /// file without inflating it, so it also works after a decoding error. Ends inflating.
    func compressedDigest() throws -> (sha256: String, bytes: Int) {
        if let digest { return digest }
        stream.pointee.avail_in = 0
        while !inputEnded { _ = try readInput() }
        let result = (LowercaseHex.text(hasher.finalize()), compressedBytesRead)
        digest = result
        return result
    }

    /// Reads the next bytes of the file into `input` and hashes them; 0 (and `inputEnded`) at
    /// the end of the file.
    private func readInput() throws -> Int {
        let count = try CheckpointFileSystem.readSome(
            descriptor, input.baseAddress!, input.count, path: path, location: location)
        if count == 0 {
            inputEnded = true
        } else {
            hasher.update(bufferPointer: UnsafeRawBufferPointer(start: input.baseAddress!, count: count))
            compressedBytesRead += count
        }
        return count
    }
}

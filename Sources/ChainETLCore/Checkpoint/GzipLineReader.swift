import CZlib
import Crypto
import Foundation

/// Streams the `\n`-terminated lines of a gzip file through zlib's inflate.
///
/// Reads the file in fixed-size chunks, so memory stays flat whatever the file size (the line
/// buffer only grows to hold the longest line). Concatenated gzip members are read as one stream,
/// as `zcat` does. A stream that ends early is an error, never a silent short read. The SHA-256
/// and size of the compressed bytes are computed on the way, for verification against a manifest.
/// Not thread-safe.
public final class GzipLineReader {
    public let path: String
    /// Lines handed out so far.
    public private(set) var linesRead = 0
    /// Uncompressed bytes handed out so far, newlines included.
    public private(set) var uncompressedBytesRead = 0
    /// Compressed bytes read from the file so far.
    public private(set) var compressedBytesRead = 0

    private let location: CheckpointLocation?
    private var descriptor: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private var streamOpen = false
    private let input: UnsafeMutableRawBufferPointer
    private var output: UnsafeMutableRawBufferPointer
    /// Start of the first line not yet handed out.
    private var lineStart = 0
    /// End of the inflated bytes in `output`.
    private var dataEnd = 0
    /// Where the newline search resumes (bytes before it hold no newline).
    private var scanFrom = 0
    private var inputEnded = false
    private var memberEnded = false
    private var finished = false
    private var hasher = SHA256()
    private var digest: (sha256: String, bytes: Int)?

    /// Opens `path`; `chunkSize` bytes are read and inflated at a time.
    public convenience init(path: String, chunkSize: Int = 128 * 1024) throws {
        try self.init(path: path, chunkSize: chunkSize, location: nil)
    }

    init(path: String, chunkSize: Int, location: CheckpointLocation?) throws {
        precondition(chunkSize > 0, "chunk size must be positive")
        self.path = path
        self.location = location
        self.input = .allocate(byteCount: chunkSize, alignment: 16)
        self.output = .allocate(byteCount: chunkSize, alignment: 16)
        self.stream = .allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
        self.descriptor = -1
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
        output.deallocate()
    }

    /// The size of the compressed file on disk.
    public func fileSize() throws -> Int {
        try CheckpointFileSystem.size(descriptor, path: path, location: location)
    }

    /// The next line without its `\n`, or nil at the end of the file.
    ///
    /// The bytes stay valid only until the next call.
    public func nextLine() throws -> UnsafeRawBufferPointer? {
        while true {
            if scanFrom < dataEnd, let newline = memchr(output.baseAddress! + scanFrom, 0x0A, dataEnd - scanFrom) {
                let end = UnsafeRawPointer(newline) - UnsafeRawPointer(output.baseAddress!)
                let line = UnsafeRawBufferPointer(start: output.baseAddress! + lineStart, count: end - lineStart)
                lineStart = end + 1
                scanFrom = lineStart
                linesRead += 1
                uncompressedBytesRead += line.count + 1
                return line
            }
            scanFrom = dataEnd
            if finished {
                guard lineStart == dataEnd else { throw CheckpointError.unterminatedLine(path: path) }
                return nil
            }
            makeRoom()
            try inflateSome()
        }
    }

    /// Calls `body` with every line (without its `\n`), in file order.
    public func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        while let line = try nextLine() {
            try body(line)
        }
    }

    /// The SHA-256 (lowercase hex) and size of the whole compressed file.
    ///
    /// Reads the rest of the file without inflating it, so it also works after a decoding error.
    /// Ends line reading: call it after `nextLine()` returned nil or threw.
    public func compressedDigest() throws -> (sha256: String, bytes: Int) {
        if let digest { return digest }
        finished = true
        lineStart = dataEnd
        stream.pointee.avail_in = 0
        while !inputEnded {
            let count = try CheckpointFileSystem.readSome(
                descriptor, input.baseAddress!, input.count, path: path, location: location)
            if count == 0 {
                inputEnded = true
            } else {
                hasher.update(bufferPointer: UnsafeRawBufferPointer(start: input.baseAddress!, count: count))
                compressedBytesRead += count
            }
        }
        let result = (TransferIdentity.hex(hasher.finalize()), compressedBytesRead)
        digest = result
        return result
    }

    /// Moves the unfinished line to the front of the buffer, growing it when the line fills it.
    private func makeRoom() {
        if lineStart > 0 {
            let pending = dataEnd - lineStart
            if pending > 0 {
                output.baseAddress!.copyMemory(from: output.baseAddress! + lineStart, byteCount: pending)
            }
            dataEnd = pending
            scanFrom -= lineStart
            lineStart = 0
        }
        if dataEnd == output.count {
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: output.count * 2, alignment: 16)
            larger.baseAddress!.copyMemory(from: output.baseAddress!, byteCount: dataEnd)
            output.deallocate()
            output = larger
        }
    }

    /// Inflates until some output is produced or the file has ended at a member boundary.
    private func inflateSome() throws {
        while true {
            if stream.pointee.avail_in == 0 && !inputEnded {
                let count = try CheckpointFileSystem.readSome(
                    descriptor, input.baseAddress!, input.count, path: path, location: location)
                if count == 0 {
                    inputEnded = true
                } else {
                    hasher.update(bufferPointer: UnsafeRawBufferPointer(start: input.baseAddress!, count: count))
                    compressedBytesRead += count
                    stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_in = uInt(count)
                }
            }
            if stream.pointee.avail_in == 0 && inputEnded {
                guard memberEnded, compressedBytesRead > 0 else { throw CheckpointError.truncatedGzip(path: path) }
                finished = true
                return
            }
            if memberEnded {
                // Another gzip member follows (e.g. files joined with `cat`).
                inflateReset(stream)
                memberEnded = false
            }
            let space = output.count - dataEnd
            stream.pointee.next_out = (output.baseAddress! + dataEnd).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(space)
            let code = inflate(stream, Z_NO_FLUSH)
            let produced = space - Int(stream.pointee.avail_out)
            dataEnd += produced
            switch code {
            case Z_OK, Z_BUF_ERROR:
                break
            case Z_STREAM_END:
                memberEnded = true
            default:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib code \(code)"
                throw CheckpointError.invalidGzip(path: path, reason: reason)
            }
            if produced > 0 { return }
        }
    }
}

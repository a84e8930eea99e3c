import Foundation

/// Streams the `\n`-terminated lines of a gzip file through zlib's inflate.
///
/// Reads the file in fixed-size chunks, so memory stays flat whatever the file size (the line
/// buffer only grows to hold the longest line). Concatenated gzip members are read as one stream,
/// as `zcat` does. A stream that ends early is an error, never a silent short read. The SHA-256
/// and size of the compressed bytes are computed on the way, for verification against a manifest.
///
/// With `background`, a file larger than one chunk is read and inflated on a
/// `BackgroundInflater` thread while the caller consumes lines, and a line that lies whole in one
/// inflated chunk is handed out where it is (only lines that cross chunks are copied); the lines
/// and errors are the same either way. Not thread-safe: one reader belongs to one unit of work.
public final class GzipLineReader {
    /// Inflated buffers in circulation once inflating runs in the background.
    static let bufferCount = 6

    public let path: String
    /// Lines handed out so far.
    public private(set) var linesRead = 0
    /// Uncompressed bytes handed out so far, newlines included.
    public private(set) var uncompressedBytesRead = 0

    private let source: GzipInflateSource
    private let chunkSize: Int
    /// A background thread is still to be started (at the first read, if the file is large enough).
    private var background: Bool
    private var inflater: BackgroundInflater?
    private var inflaterBuffers: [UnsafeMutableRawBufferPointer] = []
    /// The background chunk being read, and how much of it was read (handed out in place or
    /// copied into `output`).
    private var chunk: BackgroundInflater.Chunk?
    private var chunkOffset = 0
    private var output: UnsafeMutableRawBufferPointer
    /// Start of the first line not yet handed out.
    private var lineStart = 0
    /// End of the inflated bytes in `output`.
    private var dataEnd = 0
    /// Where the newline search resumes (bytes before it hold no newline).
    private var scanFrom = 0
    private var finished = false

    /// Opens `path`; `chunkSize` bytes are read and inflated at a time.
    ///
    /// - Parameter background: inflate on a second thread when the file is larger than a chunk.
    public convenience init(path: String, chunkSize: Int = 128 * 1024, background: Bool = false) throws {
        try self.init(path: path, chunkSize: chunkSize, location: nil, background: background)
    }

    init(path: String, chunkSize: Int, location: CheckpointLocation?, background: Bool = false) throws {
        precondition(chunkSize > 0, "chunk size must be positive")
        self.path = path
        self.chunkSize = chunkSize
        self.background = background
        self.output = .allocate(byteCount: chunkSize, alignment: 16)
        do {
            self.source = try GzipInflateSource(path: path, chunkSize: chunkSize, location: location)
        } catch {
            output.deallocate()
            throw error
        }
    }

    deinit {
        inflater?.cancel()
        for buffer in inflaterBuffers { buffer.deallocate() }
        output.deallocate()
    }

    /// The size of the compressed file on disk.
    public func fileSize() throws -> Int {
        try source.fileSize()
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
            if lineStart == dataEnd, inflater != nil, !finished, let line = try lineInChunk() { return line }
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
        stopInflater()
        finished = true
        lineStart = dataEnd
        scanFrom = dataEnd
        return try source.compressedDigest()
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

    /// Adds inflated bytes after `dataEnd`, or sets `finished` once the file has ended.
    private func inflateSome() throws {
        if background, inflater == nil {
            background = false
            if try source.fileSize() > chunkSize { startInflater() }
        }
        let space = output.count - dataEnd
        guard let inflater else {
            let produced = try source.fill(output.baseAddress! + dataEnd, capacity: space)
            if produced == 0 { finished = true }
            dataEnd += produced
            return
        }
        guard let current = try currentChunk(inflater) else {
            finished = true
            return
        }
        // Only up to the end of the pending line: the lines after it are handed out in place.
        let start = current.buffer.baseAddress! + chunkOffset
        var count = min(space, current.count - chunkOffset)
        if let newline = memchr(start, 0x0A, count) { count = UnsafeRawPointer(newline) - UnsafeRawPointer(start) + 1 }
        (output.baseAddress! + dataEnd).copyMemory(from: start, byteCount: count)
        chunkOffset += count
        dataEnd += count
    }

    /// With no line pending in `output`: the next line, when it lies whole in the current
    /// background chunk, handed out where it is instead of being copied first.
    private func lineInChunk() throws -> UnsafeRawBufferPointer? {
        guard let inflater, let current = try currentChunk(inflater) else { return nil }
        let start = current.buffer.baseAddress! + chunkOffset
        guard let newline = memchr(start, 0x0A, current.count - chunkOffset) else { return nil }
        let count = UnsafeRawPointer(newline) - UnsafeRawPointer(start)
        chunkOffset += count + 1
        linesRead += 1
        uncompressedBytesRead += count + 1
        return UnsafeRawBufferPointer(start: start, count: count)
    }

    /// The background chunk with bytes left to read: the current one, or (once it is used up and
    /// given back) the next; nil at the end of the file.
    private func currentChunk(_ inflater: BackgroundInflater) throws -> BackgroundInflater.Chunk? {
        if let current = chunk, chunkOffset == current.count {
            chunk = nil
            inflater.release(current.buffer)
        }
        if chunk == nil {
            chunk = try inflater.next()
            chunkOffset = 0
        }
        return chunk
    }

    private func startInflater() {
        inflaterBuffers = (0..<Self.bufferCount).map { _ in
            UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        }
        inflater = BackgroundInflater(source: source, buffers: inflaterBuffers)
    }

    /// Stops the background thread (if any); the source is this thread's again.
    private func stopInflater() {
        guard let inflater else { return }
        inflater.cancel()
        self.inflater = nil
        chunk = nil
    }
}

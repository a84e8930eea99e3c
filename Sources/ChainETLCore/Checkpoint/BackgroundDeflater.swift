import Foundation

/// Compresses a `GzipLineWriter`'s full input buffers on threads of their own, so deflate (the
/// costliest step of writing a checkpoint) overlaps the work that produces the lines, and spreads
/// over more than one core.
///
/// Each thread has its own `DeflateChunkCompressor`: it takes the oldest queued buffer, compresses
/// it, hands the buffer back and writes its output when every earlier chunk is written. Chunks
/// are independent, so the file holds the same bytes whatever thread compressed which chunk, and
/// the same as a synchronous writer's. Buffers circulate between the writer and the threads:
/// `submit` hands back an empty one, waiting when all of them are in use, so memory is fixed (the
/// writer's buffers and one output buffer per thread) whatever the file size. The first error
/// stops compression; the writer sees it at its next `submit` or at `finish`.
final class BackgroundDeflater: @unchecked Sendable {
    private struct Job {
        var buffer: UnsafeMutableRawBufferPointer
        var count: Int
        var last: Bool
        /// Position of the chunk in the file.
        var index: Int
    }

    private let sink: GzipDeflateSink
    private let condition = NSCondition()
    // Everything below is guarded by `condition`.
    private var queued: [Job] = []
    private var free: [UnsafeMutableRawBufferPointer]
    /// Chunks submitted so far, and how many of them (from the first) are written.
    private var submitted = 0
    private var written = 0
    private var failure: (any Error)?
    private var stopping = false
    private var running: Int

    /// Starts one thread per compressor. `spare` are the empty buffers besides the one the writer
    /// is filling.
    init(sink: GzipDeflateSink, compressors: [DeflateChunkCompressor], spare: [UnsafeMutableRawBufferPointer]) {
        precondition(!spare.isEmpty, "the writer needs a buffer to fill while one is compressed")
        precondition(!compressors.isEmpty, "deflate needs at least one thread")
        self.sink = sink
        self.free = spare
        self.running = compressors.count
        queued.reserveCapacity(spare.count + 1)
        for compressor in compressors {
            BackgroundThread.start { [self] in self.run(compressor) }
        }
    }

    /// Queues the first `count` bytes of `buffer` and returns an empty buffer to fill next,
    /// waiting while every buffer is in use.
    ///
    /// - Throws: the error that stopped compression (the file is then incomplete).
    func submit(_ buffer: UnsafeMutableRawBufferPointer, count: Int) throws -> UnsafeMutableRawBufferPointer {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        enqueue(buffer, count: count, last: false)
        while free.isEmpty && failure == nil { condition.wait() }
        if let failure { throw failure }
        return free.removeLast()
    }

    /// Queues the last `count` bytes of `buffer` as the final chunk and waits until every chunk
    /// is written and the threads have stopped. The sink is then the caller's again, to write the
    /// trailer.
    func finish(_ buffer: UnsafeMutableRawBufferPointer, count: Int) throws {
        condition.lock()
        defer { condition.unlock() }
        if failure == nil { enqueue(buffer, count: count, last: true) }
        while written < submitted && failure == nil { condition.wait() }
        stopAndWait()
        if let failure { throw failure }
    }

    /// Stops after the chunks in progress, without writing what is queued, and waits for the
    /// threads.
    func cancel() {
        condition.lock()
        defer { condition.unlock() }
        if failure == nil { failure = CheckpointError.fileClosed(path: sink.path) }
        stopAndWait()
    }

    /// With the lock held.
    private func enqueue(_ buffer: UnsafeMutableRawBufferPointer, count: Int, last: Bool) {
        queued.append(Job(buffer: buffer, count: count, last: last, index: submitted))
        submitted += 1
        condition.broadcast()
    }

    /// With the lock held: tells the threads to stop and waits until they have.
    private func stopAndWait() {
        stopping = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        // Chunks still queued (after a failure or a cancel) go back to the writer's pool.
        free.append(contentsOf: queued.map(\.buffer))
        queued.removeAll()
    }

    private func run(_ compressor: DeflateChunkCompressor) {
        condition.lock()
        while true {
            while queued.isEmpty && !stopping { condition.wait() }
            if stopping && (queued.isEmpty || failure != nil) { break }
            let job = queued.removeFirst()
            if failure != nil {
                free.append(job.buffer)
                condition.broadcast()
                continue
            }
            condition.unlock()
            var output: DeflateChunkCompressor.Output?
            var error: (any Error)?
            do {
                output = try compressor.compress(UnsafeRawPointer(job.buffer.baseAddress!), count: job.count, last: job.last)
            } catch let caught {
                error = caught
            }
            condition.lock()
            // The input is compressed (or failed): its buffer can be filled again.
            free.append(job.buffer)
            condition.broadcast()
            while written != job.index && failure == nil { condition.wait() }
            if let output, failure == nil {
                condition.unlock()
                do {
                    try sink.write(output)
                } catch let caught {
                    error = caught
                }
                condition.lock()
            }
            if failure == nil, let error { failure = error }
            written += 1
            condition.broadcast()
        }
        running -= 1
        condition.broadcast()
        condition.unlock()
    }
}

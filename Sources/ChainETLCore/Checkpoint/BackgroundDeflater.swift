import CZlib
import Foundation

/// Compresses a `GzipLineWriter`'s full input buffers on a thread of its own, so deflate (the
/// costliest step of writing a checkpoint) overlaps the work that produces the lines.
///
/// Buffers circulate between the writer and the thread: the writer fills one while the thread
/// deflates the queued ones, and `submit` hands back an empty buffer, waiting when all of them are
/// queued. Memory is therefore fixed (the writer's buffers), whatever the file size, and chunks
/// are compressed in the order they were submitted, into one gzip member: the file is
/// byte-identical to what a synchronous writer would produce. The first error stops compression;
/// the writer sees it at its next `submit` or at `finish`.
final class BackgroundDeflater: @unchecked Sendable {
    private struct Chunk {
        var buffer: UnsafeMutableRawBufferPointer
        var count: Int
    }

    private let sink: GzipDeflateSink
    private let condition = NSCondition()
    // Everything below is guarded by `condition`.
    private var queued: [Chunk] = []
    private var free: [UnsafeMutableRawBufferPointer]
    private var failure: (any Error)?
    private var finishing = false
    private var cancelled = false
    private var done = false

    /// Starts the thread. `spare` are the empty buffers besides the one the writer is filling.
    init(sink: GzipDeflateSink, spare: [UnsafeMutableRawBufferPointer]) {
        precondition(!spare.isEmpty, "the writer needs a buffer to fill while one is compressed")
        self.sink = sink
        self.free = spare
        queued.reserveCapacity(spare.count + 1)
        Thread.detachNewThread { [self] in self.run() }
    }

    /// Queues the first `count` bytes of `buffer` and returns an empty buffer to fill next,
    /// waiting while every buffer is queued.
    ///
    /// - Throws: the error that stopped compression (the file is then incomplete).
    func submit(_ buffer: UnsafeMutableRawBufferPointer, count: Int) throws -> UnsafeMutableRawBufferPointer {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        queued.append(Chunk(buffer: buffer, count: count))
        condition.broadcast()
        while free.isEmpty && failure == nil { condition.wait() }
        if let failure { throw failure }
        return free.removeLast()
    }

    /// Queues the last `count` bytes of `buffer`, ends the gzip stream and waits until everything
    /// is written. The sink is then the caller's again.
    func finish(_ buffer: UnsafeMutableRawBufferPointer, count: Int) throws {
        condition.lock()
        defer { condition.unlock() }
        if failure == nil, count > 0 { queued.append(Chunk(buffer: buffer, count: count)) }
        finishing = true
        condition.broadcast()
        while !done { condition.wait() }
        if let failure { throw failure }
    }

    /// Stops after the chunk in progress without ending the stream, and waits for the thread.
    func cancel() {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        condition.broadcast()
        while !done { condition.wait() }
    }

    private func run() {
        condition.lock()
        while true {
            while queued.isEmpty && !finishing && !cancelled { condition.wait() }
            if cancelled || failure != nil && (finishing || queued.isEmpty) { break }
            if queued.isEmpty {
                // Finishing with nothing left: write the gzip trailer.
                condition.unlock()
                let error = Self.capture { try sink.deflate(nil, count: 0, flush: Z_FINISH) }
                condition.lock()
                if failure == nil { failure = error }
                break
            }
            let chunk = queued.removeFirst()
            let skip = failure != nil
            condition.unlock()
            let error =
                skip
                ? nil
                : Self.capture {
                    try sink.deflate(UnsafeRawPointer(chunk.buffer.baseAddress!), count: chunk.count, flush: Z_NO_FLUSH)
                }
            condition.lock()
            if failure == nil { failure = error }
            free.append(chunk.buffer)
            condition.broadcast()
        }
        // Chunks still queued (after a failure or a cancel) go back to the writer's pool.
        free.append(contentsOf: queued.map(\.buffer))
        queued.removeAll()
        done = true
        condition.broadcast()
        condition.unlock()
    }

    private static func capture(_ body: () throws -> Void) -> (any Error)? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }
}

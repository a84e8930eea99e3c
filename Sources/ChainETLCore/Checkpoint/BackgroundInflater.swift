import Foundation

/// Reads and inflates a `GzipLineReader`'s file on a thread of its own, so inflate (with the read
/// and the SHA-256 of the compressed bytes) overlaps the work that consumes the lines.
///
/// Buffers circulate between the thread and the reader: the thread fills free ones with inflated
/// bytes, in file order, and the reader takes them with `next()` and gives each back with
/// `release(_:)` once it has copied what it needs. Memory is therefore fixed (the buffers),
/// whatever the file size. The source's first error stops the thread; the reader sees it after
/// every chunk inflated before it, as a synchronous reader would.
final class BackgroundInflater: @unchecked Sendable {
    struct Chunk {
        var buffer: UnsafeMutableRawBufferPointer
        var count: Int
    }

    private let source: GzipInflateSource
    private let condition = NSCondition()
    // Everything below is guarded by `condition`.
    private var ready: [Chunk] = []
    private var free: [UnsafeMutableRawBufferPointer]
    private var failure: (any Error)?
    private var cancelled = false
    private var done = false

    /// Starts the thread, which fills `buffers` (they stay the caller's to free once `cancel()`
    /// or the end of the file has stopped the thread).
    init(source: GzipInflateSource, buffers: [UnsafeMutableRawBufferPointer]) {
        precondition(buffers.count >= 2, "the thread needs a buffer to fill while one is read")
        self.source = source
        self.free = buffers
        ready.reserveCapacity(buffers.count)
        BackgroundThread.start { [self] in self.run() }
    }

    /// The next chunk of inflated bytes, waiting for it; nil once the file has ended.
    ///
    /// - Throws: the error that stopped inflating, after every chunk before it was taken.
    func next() throws -> Chunk? {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && !done { condition.wait() }
        if !ready.isEmpty { return ready.removeFirst() }
        if let failure { throw failure }
        return nil
    }

    /// Gives a chunk's buffer back to be filled again.
    func release(_ buffer: UnsafeMutableRawBufferPointer) {
        condition.lock()
        free.append(buffer)
        condition.broadcast()
        condition.unlock()
    }

    /// Stops after the chunk in progress and waits for the thread; the source is then the
    /// caller's again.
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
            while free.isEmpty && !cancelled { condition.wait() }
            if cancelled { break }
            let buffer = free.removeLast()
            condition.unlock()
            var count = 0
            var ended = false
            var error: (any Error)?
            do {
                while count < buffer.count {
                    let produced = try source.fill(buffer.baseAddress! + count, capacity: buffer.count - count)
                    if produced == 0 {
                        ended = true
                        break
                    }
                    count += produced
                }
            } catch let caught {
                error = caught
            }
            condition.lock()
            if count > 0 {
                ready.append(Chunk(buffer: buffer, count: count))
            } else {
                free.append(buffer)
            }
            condition.broadcast()
            if let error {
                failure = error
                break
            }
            if ended { break }
        }
        done = true
        condition.broadcast()
        condition.unlock()
    }
}

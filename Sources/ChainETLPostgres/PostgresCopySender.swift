import CLibPQ
import Foundation

/// Sends the buffers of a `PostgresCopyWriter` to the server on a thread of its own, so the
/// caller builds the next buffer while libpq waits for the socket.
///
/// A blocking `PQputCopyData` returns only once the kernel took the whole buffer, i.e. once the
/// server read most of what was sent before; without this thread the rows are built only while
/// the server is not waiting for them, and client and server take turns instead of running side
/// by side. Buffers circulate between the writer and the thread (`bufferCount` of them), so
/// memory is fixed whatever the row count. The libpq handle belongs to the thread from the first
/// `submit` until `finish()` or `cancel()` returned.
final class PostgresCopySender: @unchecked Sendable {
    struct Buffer {
        var start: UnsafeMutablePointer<UInt8>
        var capacity: Int
        var used = 0
    }

    /// Buffers in circulation: one filled by the writer, one sent, the rest queued.
    static let bufferCount = 4

    private let handle: OpaquePointer
    private let statement: String
    private let condition = NSCondition()
    // Everything below is guarded by `condition`.
    private var queued: [Buffer] = []
    private var free: [Buffer] = []
    private var failure: PostgresError?
    private var closing = false
    private var cancelled = false
    private var done = false

    /// Starts the thread; `buffers` are the ones the writer does not hold (at least one).
    init(handle: OpaquePointer, statement: String, buffers: [Buffer]) {
        precondition(!buffers.isEmpty, "the writer needs a buffer to fill while one is sent")
        self.handle = handle
        self.statement = statement
        free = buffers
        Thread.detachNewThread { [self] in self.run() }
    }

    /// Queues `buffer` for sending and returns an empty one, waiting while all are in flight.
    ///
    /// - Throws: the error of an earlier send (the connection is lost or the server failed the COPY).
    func submit(_ buffer: Buffer) throws -> Buffer {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        queued.append(buffer)
        condition.broadcast()
        while free.isEmpty && failure == nil { condition.wait() }
        if let failure { throw failure }
        var empty = free.removeLast()
        empty.used = 0
        return empty
    }

    /// Waits until every queued buffer is sent and the thread has ended.
    ///
    /// - Throws: the first send's error.
    func finish() throws {
        condition.lock()
        defer { condition.unlock() }
        closing = true
        condition.broadcast()
        while !done { condition.wait() }
        if let failure { throw failure }
    }

    /// Drops what is queued, waits for the send in progress and the thread; returns its buffers
    /// (to be freed) and the error of a failed send, if any (which explains why the COPY failed).
    /// Also after `finish()`, to take the buffers back.
    func cancel() -> (buffers: [Buffer], failure: PostgresError?) {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        condition.broadcast()
        while !done { condition.wait() }
        return (free + queued, failure)
    }

    private func run() {
        condition.lock()
        while true {
            while queued.isEmpty && !closing && !cancelled { condition.wait() }
            if cancelled || queued.isEmpty { break }
            let buffer = queued.removeFirst()
            condition.unlock()
            let status = PQputCopyData(
                handle, UnsafeRawPointer(buffer.start).assumingMemoryBound(to: CChar.self), Int32(buffer.used))
            var error: PostgresError?
            if status != 1 {
                let message = PostgresConnection.errorMessage(of: handle)
                error =
                    PQstatus(handle) == CONNECTION_BAD
                    ? .connectionLost(sqlState: nil, message: message, statement: statement)
                    : .copyFailed(statement: statement, message: message)
            }
            condition.lock()
            free.append(buffer)
            condition.broadcast()
            if let error {
                failure = error
                break
            }
        }
        done = true
        condition.broadcast()
        condition.unlock()
    }
}

import Foundation

/// A one-way "stop now" request that blocking code checks between steps and while it waits.
///
/// `chainetl run` cancels `process` on the first SIGINT or SIGTERM: no new unit starts, explorer
/// waits (rate-limit slots, retry back-off, an HTTP response) return early and throw
/// `CancellationFlag.Interrupted`, while database transactions already sent are left to finish or
/// roll back. Nothing ever resets the flag: a cancelled process finishes its run and exits.
public final class CancellationFlag: @unchecked Sendable {
    // `@unchecked`: every field is guarded by `condition`.

    /// Thrown by code that stops early because the flag was cancelled.
    public struct Interrupted: Error, Sendable, Equatable, CustomStringConvertible {
        public init() {}
        public var description: String { "interrupted by a stop signal before it finished" }
    }

    /// The flag of this process, set by the runner's signal handling.
    public static let process = CancellationFlag()

    private let condition = NSCondition()
    private var cancelled = false
    private var handlers: [@Sendable () -> Void] = []

    public init() {}

    public var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Sets the flag, wakes every `sleep`, and calls the `onCancel` handlers once (on this thread).
    public func cancel() {
        condition.lock()
        guard !cancelled else {
            condition.unlock()
            return
        }
        cancelled = true
        let pending = handlers
        handlers = []
        condition.broadcast()
        condition.unlock()
        for handler in pending { handler() }
    }

    /// Calls `handler` when the flag is cancelled, or at once when it already is.
    public func onCancel(_ handler: @escaping @Sendable () -> Void) {
        condition.lock()
        if cancelled {
            condition.unlock()
            handler()
            return
        }
        handlers.append(handler)
        condition.unlock()
    }

    /// Throws `Interrupted` once the flag is cancelled.
    public func check() throws(Interrupted) {
        if isCancelled { throw Interrupted() }
    }

    /// Blocks for `seconds`, or less when the flag is cancelled meanwhile; returns false then.
    @discardableResult
    public func sleep(seconds: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: max(0, seconds))
        condition.lock()
        defer { condition.unlock() }
        while !cancelled {
            if !condition.wait(until: deadline) { return !cancelled }
        }
        return false
    }
}

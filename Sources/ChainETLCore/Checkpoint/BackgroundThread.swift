import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Starts the helper threads of checkpoint I/O (`BackgroundInflater`, `BackgroundDeflater`).
enum BackgroundThread {
    /// Runs `body` on a new detached thread.
    ///
    /// On Linux the thread runs under `SCHED_BATCH`: the same share of the CPU, but waking it
    /// (every buffer handed over) does not preempt the thread that woke it. The stage's own
    /// thread, which produces or consumes the buffers, then keeps its core instead of being
    /// switched out thousands of times per file; measured in docs/performance.md. Any thread
    /// may choose this policy for itself without privileges.
    #if os(Linux)
        /// `SCHED_BATCH` of <linux/sched.h>; glibc declares it only under `_GNU_SOURCE`.
        private static let schedBatch: Int32 = 3
    #endif

    static func start(_ body: @escaping @Sendable () -> Void) {
        Thread.detachNewThread {
            #if os(Linux)
                var parameters = sched_param()
                parameters.sched_priority = 0
                _ = sched_setscheduler(0, schedBatch, &parameters)
            #endif
            body()
        }
    }
}

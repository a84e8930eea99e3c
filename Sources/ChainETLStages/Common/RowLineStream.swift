import ChainETLCore

/// Record lines handed out one at a time through a closure (an upstream checkpoint, in practice).
protocol RowLineStream {
    /// Calls `body` with every line (without its newline), in order.
    func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) throws
}

extension CheckpointReader: RowLineStream {}

import ChainETLCore

/// Something that hands out record lines one at a time: an upstream checkpoint, or a test's lines.
protocol RecordLineSource {
    /// Calls `body` with every line (without its newline), in order.
    func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) throws
}

/// Lines held in memory (tests and small inputs).
struct InMemoryLines: RecordLineSource {
    var lines: [String]

    func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        for line in lines {
            var copy = line
            try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        }
    }
}

extension CheckpointReader: RecordLineSource {}

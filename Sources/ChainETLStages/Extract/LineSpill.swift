import ChainETLExplorers
import Foundation

/// A temporary file of checkpoint lines kept by a walk that is ahead of the output's order, read
/// back once, in the order written, when the walk's turn comes (`OrderedWalkPool`).
///
/// The file is unlinked as soon as it is created, in the stage's temporary directory: nothing is
/// left behind, even after `kill -9`, and nothing reaches the checkpoint but through its writer.
/// Memory is one write buffer while lines arrive and one read buffer while they are replayed.
final class LineSpill {
    private let file: UnlinkedTemporaryFile
    private var buffer: [UInt8] = []
    private let bufferSize: Int
    private var fileSize = 0
    /// Lines appended so far.
    private(set) var count = 0

    /// Creates and unlinks a new file in `directory` (the system temporary directory when nil).
    init(directory: URL?, bufferSize: Int = 64 << 10) throws {
        file = try UnlinkedTemporaryFile(directory: directory, prefix: "chainetl-walk")
        self.bufferSize = bufferSize
    }

    /// Appends one line (`line` ends with its `\n`).
    func append(_ line: [UInt8]) throws {
        buffer.append(contentsOf: line)
        if line.last != 0x0A { buffer.append(0x0A) }
        count += 1
        if buffer.count >= bufferSize { try flush() }
    }

    /// Writes the buffered lines to the file and frees the buffer (the walk is over or replaying).
    func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try file.write($0, at: fileSize) }
        fileSize += buffer.count
        buffer = []
    }

    /// Calls `body` with every line in the order appended (each with its `\n`), then empties
    /// the file.
    func replay(chunkSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try flush()
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var pending: [UInt8] = []
        var offset = 0
        while offset < fileSize {
            let got = try chunk.withUnsafeMutableBytes { try file.read(into: $0, at: offset) }
            if got == 0 { break }
            offset += got
            try chunk.withUnsafeBytes { bytes in
                var start = 0
                for index in 0..<got where bytes[index] == 0x0A {
                    if pending.isEmpty {
                        try body(UnsafeRawBufferPointer(rebasing: bytes[start...index]))
                    } else {
                        pending.append(contentsOf: bytes[start...index])
                        try pending.withUnsafeBytes { try body($0) }
                        pending.removeAll(keepingCapacity: true)
                    }
                    start = index + 1
                }
                pending.append(contentsOf: bytes[start..<got])
            }
        }
        file.truncate()
        fileSize = 0
        count = 0
    }
}

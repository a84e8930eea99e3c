import ChainETLExplorers
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A temporary file of checkpoint lines kept by a walk that is ahead of the output's order, read
/// back once, in the order written, when the walk's turn comes (`OrderedWalkPool`).
///
/// The file is unlinked as soon as it is created, in the stage's temporary directory: nothing is
/// left behind, even after `kill -9`, and nothing reaches the checkpoint but through its writer.
/// Memory is one write buffer while lines arrive and one read buffer while they are replayed.
final class LineSpill {
    private let path: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private let bufferSize: Int
    /// Lines appended so far.
    private(set) var count = 0

    /// Creates and unlinks a new file in `directory` (the system temporary directory when nil).
    init(directory: URL?, bufferSize: Int = 64 << 10) throws {
        let base = directory ?? FileManager.default.temporaryDirectory
        path = base.appendingPathComponent("chainetl-walk-\(UUID().uuidString).spill").path
        self.bufferSize = bufferSize
        descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ExplorerError.localFile(operation: "create", path: path, code: errno) }
        guard unlink(path) == 0 else {
            let code = errno
            close(descriptor)
            descriptor = -1
            throw ExplorerError.localFile(operation: "unlink", path: path, code: code)
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
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
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 else {
                if written < 0 && errno == EINTR { continue }
                throw ExplorerError.localFile(operation: "write", path: path, code: errno)
            }
            offset += written
        }
        buffer = []
    }

    /// Calls `body` with every line in the order appended (each with its `\n`), then empties
    /// the file.
    func replay(chunkSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try flush()
        guard lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw ExplorerError.localFile(operation: "seek", path: path, code: errno)
        }
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var pending: [UInt8] = []
        while true {
            let got = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, chunkSize) }
            if got < 0 {
                if errno == EINTR { continue }
                throw ExplorerError.localFile(operation: "read", path: path, code: errno)
            }
            if got == 0 { break }
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
        _ = ftruncate(descriptor, 0)
        count = 0
    }
}

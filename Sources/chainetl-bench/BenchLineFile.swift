import Foundation

/// Reads the lines of an uncompressed NDJSON file in fixed-size chunks (bench input only).
enum BenchLineFile {
    /// Calls `body` with every `\n`-terminated line, without the newline.
    static func forEachLine(_ url: URL, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw BenchError.usage("cannot open \(url.path)")
        }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        pending.reserveCapacity(64 * 1024)
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            try chunk.withUnsafeBytes { buffer in
                var start = 0
                while start < buffer.count {
                    guard let newline = memchr(buffer.baseAddress! + start, 0x0A, buffer.count - start) else {
                        pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
                        return
                    }
                    let end = UnsafeRawPointer(newline) - buffer.baseAddress!
                    if pending.isEmpty {
                        try body(UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
                    } else {
                        pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
                        try pending.withUnsafeBytes { try body($0) }
                        pending.removeAll(keepingCapacity: true)
                    }
                    start = end + 1
                }
            }
        }
        guard pending.isEmpty else { throw BenchError.mismatch("\(url.path) ends without a newline") }
    }
}

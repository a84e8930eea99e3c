import ChainETLCore
import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a new file through a fixed buffer, computing its SHA-256 and size as it goes.
///
/// Memory is one buffer whatever the file size. `finish()` fsyncs and closes; a writer dropped
/// without `finish()` closes its descriptor and leaves the (temporary) file for its directory's
/// owner to delete. Not thread-safe: a writer belongs to one unit of work.
final class HashingFileWriter {
    let path: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private let bufferSize: Int
    private var hasher = SHA256()
    private(set) var bytesWritten = 0

    /// Creates `path`, which must not exist yet.
    init(path: String, bufferSize: Int = 256 * 1024) throws(ExportError) {
        self.path = path
        self.bufferSize = bufferSize
        buffer.reserveCapacity(bufferSize)
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .fileSystem(operation: "create", path: path, code: errno) }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Appends bytes, writing the buffer out whenever it fills.
    func write(_ bytes: [UInt8]) throws(ExportError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= bufferSize { try flush() }
    }

    /// Writes what is buffered, fsyncs and closes. Returns the size and lowercase hex SHA-256.
    func finish() throws(ExportError) -> (bytes: Int, sha256: String) {
        try flush()
        guard fsync(descriptor) == 0 else { throw .fileSystem(operation: "fsync", path: path, code: errno) }
        let closing = descriptor
        descriptor = -1
        guard close(closing) == 0 else { throw .fileSystem(operation: "close", path: path, code: errno) }
        return (bytesWritten, LowercaseHex.text(hasher.finalize()))
    }

    private func flush() throws(ExportError) {
        guard !buffer.isEmpty else { return }
        guard descriptor >= 0 else { throw .fileSystem(operation: "write", path: path, code: EBADF) }
        let failure: Int32? = buffer.withUnsafeBytes { raw -> Int32? in
            var offset = 0
            while offset < raw.count {
                let written = systemWrite(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            hasher.update(bufferPointer: raw)
            return nil
        }
        if let failure { throw .fileSystem(operation: "write", path: path, code: failure) }
        bytesWritten += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}

/// `write(2)`, named apart from `HashingFileWriter.write(_:)`.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
    #else
        Darwin.write(descriptor, bytes, count)
    #endif
}

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A scratch file that exists only as an open descriptor: created in `directory` and unlinked at
/// once, so nothing is left behind, even after `kill -9`.
///
/// Positional reads and writes retry on `EINTR`; failures are `ExplorerError.localFile` with the
/// path it had. Used by the spills that put rows back in order (`ReversingRowSpill`, the extract
/// stage's `LineSpill`). One file belongs to one thread at a time.
public final class UnlinkedTemporaryFile {
    /// The name it had, for messages.
    public let path: String
    private var descriptor: Int32

    /// Creates and unlinks `<prefix>-<uuid>.spill` in `directory` (the system temporary directory when nil).
    public init(directory: URL?, prefix: String) throws {
        let base = directory ?? FileManager.default.temporaryDirectory
        path = base.appendingPathComponent("\(prefix)-\(UUID().uuidString).spill").path
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

    /// Writes all of `bytes` at `offset`.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let written = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if written < 0 {
                if errno == EINTR { continue }
                throw ExplorerError.localFile(operation: "write", path: path, code: errno)
            }
            done += written
        }
    }

    /// Reads up to `buffer.count` bytes at `offset`; fewer only at the end of the file.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        var done = 0
        while done < buffer.count {
            let got = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                throw ExplorerError.localFile(operation: "read", path: path, code: errno)
            }
            if got == 0 { break }
            done += got
        }
        return done
    }

    /// Empties the file.
    public func truncate() {
        _ = ftruncate(descriptor, 0)
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The POSIX calls behind checkpoints: durable writes, fsync of directories, atomic renames.
///
/// Foundation's `FileHandle` and `FileManager` neither report `ENOSPC` distinctly nor fsync
/// directories, and a commit is only durable when both the files and their directory are synced.
enum CheckpointFileSystem {
    /// The error for a failed system call, with `ENOSPC`/`EDQUOT` reported as a full disk.
    static func error(
        _ operation: String, path: String, code: Int32 = errno, location: CheckpointLocation?
    ) -> CheckpointError {
        if code == ENOSPC || code == EDQUOT {
            return .diskFull(path: path, location: location)
        }
        return .fileSystem(operation: operation, path: path, errno: code, location: location)
    }

    /// Opens `path` for writing, creating or truncating it.
    static func createFile(_ path: String, location: CheckpointLocation?) throws -> Int32 {
        while true {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if descriptor >= 0 { return descriptor }
            if errno == EINTR { continue }
            throw error("create", path: path, location: location)
        }
    }

    /// Opens `path` for reading.
    static func openForReading(_ path: String, location: CheckpointLocation?) throws -> Int32 {
        while true {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            if descriptor >= 0 { return descriptor }
            if errno == EINTR { continue }
            throw error("open", path: path, location: location)
        }
    }

    /// Writes all `count` bytes, retrying short writes and interrupts.
    static func writeAll(
        _ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int, path: String, location: CheckpointLocation?
    ) throws {
        var offset = 0
        while offset < count {
            let written = write(descriptor, pointer + offset, count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw error("write", path: path, location: location)
            }
            offset += written
        }
    }

    /// Reads up to `count` bytes; 0 means end of file.
    static func readSome(
        _ descriptor: Int32, _ pointer: UnsafeMutableRawPointer, _ count: Int, path: String,
        location: CheckpointLocation?
    ) throws -> Int {
        while true {
            let bytesRead = read(descriptor, pointer, count)
            if bytesRead >= 0 { return bytesRead }
            if errno == EINTR { continue }
            throw error("read", path: path, location: location)
        }
    }

    /// Flushes a file's data to stable storage.
    static func sync(_ descriptor: Int32, path: String, location: CheckpointLocation?) throws {
        while fsync(descriptor) != 0 {
            if errno == EINTR { continue }
            throw error("fsync", path: path, location: location)
        }
    }

    /// Closes a descriptor, reporting deferred write errors (NFS, full disks).
    static func closeFile(_ descriptor: Int32, path: String, location: CheckpointLocation?) throws {
        if close(descriptor) != 0 && errno != EINTR {
            throw error("close", path: path, location: location)
        }
    }

    /// Flushes a directory's entries (creations, renames) to stable storage.
    static func syncDirectory(_ url: URL, location: CheckpointLocation?) throws {
        let path = url.path
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw error("open directory", path: path, location: location) }
        defer { _ = close(descriptor) }
        try sync(descriptor, path: path, location: location)
    }

    /// The size of an open file.
    static func size(_ descriptor: Int32, path: String, location: CheckpointLocation?) throws -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw error("stat", path: path, location: location) }
        return Int(info.st_size)
    }

    /// Creates `url` and any missing parents.
    static func createDirectory(_ url: URL, location: CheckpointLocation?) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw Self.error("create directory", path: url.path, code: Self.errnoCode(of: error), location: location)
        }
    }

    /// Removes `url` and everything below it; absent is fine.
    static func removeTree(_ url: URL, location: CheckpointLocation?) throws {
        guard exists(url) else { return }
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            throw Self.error("remove", path: url.path, code: Self.errnoCode(of: error), location: location)
        }
    }

    /// Renames `source` to `destination` atomically (same file system).
    static func renameItem(_ source: URL, to destination: URL, location: CheckpointLocation?) throws {
        guard rename(source.path, destination.path) == 0 else {
            throw error("rename \(source.path) to", path: destination.path, location: location)
        }
    }

    /// Whether anything exists at `url` (without following a final symlink's target).
    static func exists(_ url: URL) -> Bool {
        var info = stat()
        return lstat(url.path, &info) == 0
    }

    /// The POSIX code inside a Foundation error, or `EIO` when it carries none.
    private static func errnoCode(of error: Error) -> Int32 {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain
        {
            return Int32(underlying.code)
        }
        if nsError.domain == NSPOSIXErrorDomain { return Int32(nsError.code) }
        return EIO
    }
}

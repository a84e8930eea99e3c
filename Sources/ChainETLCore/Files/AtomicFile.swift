import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a whole file so readers see the old content or the new one, never a part.
///
/// The bytes go to a hidden temporary file in the target's folder (same file system), are flushed,
/// then renamed over the target. Any failure removes the temporary file, so nothing is left
/// behind, and a full disk (`ENOSPC`, `EDQUOT`) is reported as such: `AtomicFileError.noSpace`.
/// The one home for writing a small whole file (reports, metrics, the simulator's port file);
/// large streamed files go through `GzipLineWriter` into a temporary name and a rename.
public enum AtomicFile {
    /// `write(2)`, injectable so tests can fail it (e.g. with `ENOSPC`) without filling a disk.
    public typealias WriteFunction = (Int32, UnsafeRawPointer, Int) -> Int

    public static func write(
        _ data: Data, to target: URL, using writeBytes: WriteFunction = { AtomicFile.systemWrite($0, $1, $2) }
    ) throws(AtomicFileError) {
        let folder = target.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .notWritten(path: target.path, reason: "cannot create the folder \(folder.path)")
        }
        let temporary = folder.appendingPathComponent(
            ".\(target.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        )
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure(errno, target: target, step: "create") }
        var code: Int32 = 0
        var step = "write"
        data.withUnsafeBytes { buffer in
            guard var next = buffer.baseAddress else { return }
            var left = buffer.count
            while left > 0 {
                let written = writeBytes(descriptor, next, left)
                if written < 0 {
                    if errno == EINTR { continue }
                    code = errno
                    return
                }
                left -= written
                next = next.advanced(by: written)
            }
        }
        if code == 0, fsync(descriptor) != 0 {
            code = errno
            step = "flush"
        }
        if close(descriptor) != 0, code == 0 {
            code = errno
            step = "close"
        }
        if code == 0, rename(temporary.path, target.path) != 0 {
            code = errno
            step = "rename"
        }
        if code != 0 {
            unlink(temporary.path)
            throw failure(code, target: target, step: step)
        }
    }

    private static func failure(_ code: Int32, target: URL, step: String) -> AtomicFileError {
        if code == ENOSPC || code == EDQUOT { return .noSpace(path: target.path) }
        return .notWritten(path: target.path, reason: "\(step) failed: \(String(cString: strerror(code)))")
    }

    public static func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            return Glibc.write(descriptor, bytes, count)
        #else
            return Darwin.write(descriptor, bytes, count)
        #endif
    }
}

/// Why `AtomicFile.write` left the target as it was.
public enum AtomicFileError: Error, Equatable, CustomStringConvertible {
    /// The folder, the temporary file, the flush or the rename failed.
    case notWritten(path: String, reason: String)
    /// The file system ran out of space (or quota); nothing was left behind.
    case noSpace(path: String)

    /// What went wrong, without the path.
    public var reason: String {
        switch self {
        case .notWritten(_, let reason): return reason
        case .noSpace: return "no space left on device"
        }
    }

    public var description: String {
        switch self {
        case .notWritten(let path, let reason): return "cannot write \(path): \(reason)"
        case .noSpace(let path): return "no space left on device writing \(path)"
        }
    }
}

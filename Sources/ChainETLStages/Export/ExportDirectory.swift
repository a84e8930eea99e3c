import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bundle's temporary directory and its publication as `<root>/<pipeline>/<partition>/`.
///
/// Files are written under `<root>/<pipeline>/.<partition>.tmp-XXXXXX/` (same file system, so
/// the rename is atomic) and the directory is renamed into place once every file is complete and
/// fsynced. A previous bundle is first renamed aside and deleted after the new one is in place:
/// readers see the old bundle or the new one, and for the instant between the two renames no
/// bundle; never a mix. (Linux `renameat2(RENAME_EXCHANGE)` would close that instant but is not
/// exposed to Swift.) A crash leaves at most a dot-directory, which the next export removes.
final class ExportDirectory {
    /// `<root>/<pipeline>/<partition>`.
    let destination: URL
    /// The temporary directory the bundle is written into.
    let temporary: URL
    private var published = false

    /// Creates `<root>/<pipeline>/` if needed and a fresh temporary directory inside it.
    init(root: URL, pipeline: String, partition: String) throws(ExportError) {
        let parent = root.appendingPathComponent(pipeline, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw .fileSystem(operation: "create directory", path: parent.path, code: Self.errnoCode(of: error))
        }
        destination = parent.appendingPathComponent(partition, isDirectory: true)
        Self.removeLeftovers(in: parent, partition: partition)
        var template = Array(parent.appendingPathComponent(".\(partition).tmp-XXXXXX").path.utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else {
            throw .fileSystem(operation: "create a temporary directory in", path: parent.path, code: errno)
        }
        temporary = URL(
            fileURLWithPath: String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
            isDirectory: true)
    }

    deinit {
        if !published { try? FileManager.default.removeItem(at: temporary) }
    }

    /// The path of `name` inside the temporary directory.
    func temporaryPath(_ name: String) -> String {
        temporary.appendingPathComponent(name).path
    }

    /// Renames the temporary directory to the destination, replacing a previous bundle.
    func publish() throws(ExportError) {
        let parent = destination.deletingLastPathComponent()
        try Self.syncDirectory(temporary.path)
        var aside: String?
        if FileManager.default.fileExists(atPath: destination.path) {
            let path = parent.appendingPathComponent(
                ".\(destination.lastPathComponent).old-\(UInt32.random(in: .min ... .max))"
            ).path
            guard rename(destination.path, path) == 0 else {
                throw .fileSystem(operation: "move the previous bundle aside from", path: destination.path, code: errno)
            }
            aside = path
        }
        guard rename(temporary.path, destination.path) == 0 else {
            let code = errno
            if let aside { _ = rename(aside, destination.path) }
            throw .fileSystem(operation: "rename the new bundle to", path: destination.path, code: code)
        }
        published = true
        try Self.syncDirectory(parent.path)
        if let aside { try? FileManager.default.removeItem(atPath: aside) }
    }

    /// Removes `.<partition>.tmp-*` and `.<partition>.old-*` left by a crashed export.
    private static func removeLeftovers(in parent: URL, partition: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent.path) else { return }
        for name in names where name.hasPrefix(".\(partition).tmp-") || name.hasPrefix(".\(partition).old-") {
            try? FileManager.default.removeItem(at: parent.appendingPathComponent(name))
        }
    }

    /// fsyncs a directory so the renames inside it survive a crash.
    private static func syncDirectory(_ path: String) throws(ExportError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .fileSystem(operation: "open directory", path: path, code: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .fileSystem(operation: "fsync directory", path: path, code: errno) }
    }

    private static func errnoCode(of error: any Error) -> Int32 {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain
        {
            return Int32(underlying.code)
        }
        return nsError.domain == NSPOSIXErrorDomain ? Int32(nsError.code) : EIO
    }
}

import Foundation

/// Writes a whole file so readers see the old content or the new one, never a part.
///
/// The bytes go to a hidden temporary file in the target's folder (same file system), are flushed,
/// then renamed over the target.
enum AtomicFile {
    static func write(_ data: Data, to target: URL) throws {
        let folder = target.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw OperationsError.fileNotWritten(path: target.path, reason: "cannot create the folder: \(error)")
        }
        let temporary = folder.appendingPathComponent(
            ".\(target.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        )
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw OperationsError.fileNotWritten(
                path: target.path, reason: "cannot create \(temporary.lastPathComponent)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw OperationsError.fileNotWritten(path: target.path, reason: "\(error)")
        }
        if rename(temporary.path, target.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw OperationsError.fileNotWritten(path: target.path, reason: reason)
        }
    }
}

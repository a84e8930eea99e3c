import Foundation

/// A file with the given content in a fresh temporary folder, removed when released.
final class TemporaryFile {
    let folder: URL
    let url: URL
    var path: String { url.path }

    init(_ name: String, _ content: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chainetl-file-" + String(UInt64.random(in: 0...UInt64.max), radix: 36))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        url = folder.appendingPathComponent(name)
        try Data(content.utf8).write(to: url)
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }
}

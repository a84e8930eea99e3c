import ChainETLCore
import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Checks an export bundle against its `manifest.json` before anything is loaded: the manifest
/// is well-formed, and every file it lists is present with its recorded size and SHA-256.
public struct ExportBundleVerifier {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// Reads and checks the manifest alone.
    public func manifest() throws(ImportError) -> ExportManifest {
        let path = directory.appendingPathComponent(ExportManifest.fileName).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw .missingManifest(directory: directory.path)
        }
        let manifest: ExportManifest
        do {
            manifest = try ExportManifest.decode(Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .invalidManifest(path: path, reason: "\(error)")
        }
        guard manifest.format == ExportManifest.currentFormat else {
            throw .invalidManifest(
                path: path, reason: "format \(manifest.format), this chainetl reads \(ExportManifest.currentFormat)")
        }
        var names = Set<String>()
        for summary in manifest.summaries {
            guard ExportQuery.isColumnName(summary.name), names.insert(summary.name).inserted else {
                throw .invalidManifest(path: path, reason: "summary name '\(summary.name)' is invalid or repeated")
            }
            let expected = ["\(summary.name).csv", "\(summary.name).ndjson.gz"]
            guard summary.files.map(\.name) == expected else {
                throw .invalidManifest(path: path, reason: "summary \(summary.name) must list exactly \(expected)")
            }
            guard !summary.columns.isEmpty, summary.columns.allSatisfy({ ExportQuery.isColumnName($0.name) }),
                Set(summary.columns.map(\.name)).count == summary.columns.count
            else {
                throw .invalidManifest(path: path, reason: "summary \(summary.name) has invalid or repeated columns")
            }
            let columnNames = Set(summary.columns.map(\.name))
            guard !summary.key.isEmpty, summary.key.allSatisfy(columnNames.contains) else {
                throw .invalidManifest(path: path, reason: "the key of \(summary.name) names unknown columns")
            }
        }
        return manifest
    }

    /// Checks the manifest and every listed file's size and SHA-256; returns the manifest.
    @discardableResult
    public func verifyFiles() throws(ImportError) -> ExportManifest {
        let manifest = try manifest()
        for file in manifest.files {
            let path = directory.appendingPathComponent(file.name).path
            let (bytes, sha256) = try Self.digest(path: path, expectedBytes: file.bytes)
            guard bytes == file.bytes else { throw .sizeMismatch(path: path, expected: file.bytes, actual: bytes) }
            guard sha256 == file.sha256 else {
                throw .checksumMismatch(path: path, expected: file.sha256, actual: sha256)
            }
        }
        return manifest
    }

    /// The size and SHA-256 of `path`, streamed; a size mismatch is reported before hashing.
    private static func digest(path: String, expectedBytes: Int) throws(ImportError) -> (Int, String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw errno == ENOENT ? .missingFile(path: path) : .unreadable(path: path, code: errno)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(path: path, code: errno) }
        guard Int(status.st_size) == expectedBytes else {
            throw .sizeMismatch(path: path, expected: expectedBytes, actual: Int(status.st_size))
        }
        var hasher = SHA256()
        var total = 0
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let count = read(descriptor, chunk.baseAddress!, chunk.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, code: errno)
            }
            if count == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: chunk[..<count]))
            total += count
        }
        return (total, LowercaseHex.text(hasher.finalize()))
    }
}

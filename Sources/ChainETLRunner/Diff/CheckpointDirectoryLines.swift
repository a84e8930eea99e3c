import ChainETLCore
import Foundation

/// The data lines of a finished checkpoint directory (`<stage>/` or `<stage>.prev/`), each part
/// checked against its manifest entry (size, SHA-256, row count) as it is streamed.
///
/// `CheckpointReader` only opens the live `<stage>/` directory; the diff also reads `.prev`.
struct CheckpointDirectoryLines {
    let directory: URL
    let manifest: CheckpointManifest

    var rowCount: Int { manifest.totalRows }

    func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        for part in manifest.parts {
            let path = directory.appendingPathComponent(part.name).path
            let reader: GzipLineReader
            do {
                reader = try GzipLineReader(path: path)
            } catch {
                throw corrupt(part, "cannot be opened (\(error))")
            }
            while let line = try reader.nextLine() {
                try body(line)
            }
            let digest = try reader.compressedDigest()
            guard digest.bytes == part.bytes, digest.sha256 == part.sha256 else {
                throw corrupt(part, "its sha256 or size does not match the manifest")
            }
            guard reader.linesRead == part.rows else {
                throw corrupt(part, "holds \(reader.linesRead) rows, the manifest says \(part.rows)")
            }
        }
    }

    private func corrupt(_ part: CheckpointFile, _ reason: String) -> DiffError {
        .corruptCheckpoint(directory: directory.path, file: part.name, reason: reason)
    }
}

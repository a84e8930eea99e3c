import Foundation

extension StageContext {
    /// Where a failed run's quarantine file is kept, since the failed checkpoint itself is discarded:
    /// `<workdir>/quarantine/<pipeline>/<partition>/<stage>.ndjson.gz`.
    var keptQuarantineFile: URL {
        workdir.appendingPathComponent("quarantine", isDirectory: true)
            .appendingPathComponent(pipeline.name, isDirectory: true)
            .appendingPathComponent(partition.description, isDirectory: true)
            .appendingPathComponent("\(spec.id).ndjson.gz")
    }

    /// Moves a finished quarantine file out of the checkpoint to `keptQuarantineFile`.
    func keepQuarantineFile(from path: String) throws {
        let manager = FileManager.default
        let destination = keptQuarantineFile
        try manager.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? manager.removeItem(at: destination)
        try manager.moveItem(at: URL(fileURLWithPath: path), to: destination)
    }

    /// Removes a quarantine file an earlier failed run kept, once the stage passes.
    func removeKeptQuarantineFile() {
        try? FileManager.default.removeItem(at: keptQuarantineFile)
    }
}

import ChainETLCore
import ChainETLStages
import Foundation
import Logging

/// The runner's rerun diff: after a unit commits a checkpoint that replaced an existing one, it
/// compares the new checkpoint with `<stage>.prev/`, writes every changed id to
/// `<workdir>/runs/<run-id>/diffs/<partition>/<stage>.ndjson.gz`, logs the counts and returns the
/// summary for the run report. Failures are reported, never thrown: the stage already succeeded.
struct RerunDiff {
    var workdir: URL
    var runID: String
    var exampleLimit = 20
    var rowsPerBucket = 200_000
    var bucketCount: Int?
    /// Changed rows whose columns are shown with before/after values.
    var changedRowSample = 5

    /// `runs/<run-id>/diffs/<partition>/<stage>.ndjson.gz`, relative to the workdir.
    func relativeFilePath(_ location: CheckpointLocation) -> String {
        "runs/\(runID)/diffs/\(location.partition)/\(location.stageID).ndjson.gz"
    }

    /// Diffs the checkpoint just committed at `location` against the one it replaced.
    ///
    /// - Parameter replaced: whether a finished checkpoint was in place before the commit (only
    ///   then is `<stage>.prev/` the one this commit replaced).
    func rows(at location: CheckpointLocation, replaced: Bool) -> UnitDiff? {
        guard replaced else { return nil }
        var result = UnitDiff(examplesLimit: exampleLimit)
        do {
            guard let previous = try CheckpointStore.previousManifest(at: location),
                let current = try CheckpointStore.existingManifest(at: location)
            else { return nil }
            let keying = DiffKeying(recordSchema: current.recordSchema)
            result.previousCheckpointHash = previous.contentHash
            result.key = keying.rawValue
            result.rowsBefore = previous.totalRows
            result.rowsAfter = current.totalRows
            if previous.contentHash == current.contentHash {
                result.unchanged = current.totalRows
                return result
            }
            let relative = relativeFilePath(location)
            let target = workdir.appendingPathComponent(relative)
            let sink = try diff(previous: previous, current: current, keying: keying, location: location, to: target)
            result.added = sink.count(.added)
            result.removed = sink.count(.removed)
            result.changed = sink.count(.changed)
            result.unchanged = sink.unchanged
            result.examples = UnitDiff.Examples(
                added: sink.examples[.added] ?? [], removed: sink.examples[.removed] ?? [],
                changed: sink.examples[.changed] ?? [])
            if result.changed > 0 && changedRowSample > 0 {
                // A second pass over both sides, keeping only the sampled lines.
                result.changedRows = try ChangedRowSampler(keying: keying, limit: changedRowSample).sample(
                    ids: sink.changedSample,
                    previous: CheckpointDirectoryLines(directory: location.previousDirectory, manifest: previous),
                    current: CheckpointDirectoryLines(directory: location.directory, manifest: current))
            }
            if result.added + result.removed + result.changed > 0 {
                result.file = relative
            } else {
                try? FileManager.default.removeItem(at: target)
            }
        } catch {
            result.error = "\(error)"
        }
        return result
    }

    private func diff(
        previous: CheckpointManifest, current: CheckpointManifest, keying: DiffKeying, location: CheckpointLocation,
        to target: URL
    ) throws -> DiffSink {
        let folder = target.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DiffError.output(path: folder.path, reason: error.localizedDescription)
        }
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let temporary = folder.appendingPathComponent(".\(location.stageID).ndjson.gz.tmp-\(suffix)")
        let scratch = folder.appendingPathComponent(".\(location.stageID).spill-\(suffix)", isDirectory: true)
        let writer = try GzipLineWriter(path: temporary.path)
        // After a successful rename there is nothing left to remove; on failure the partial file goes.
        defer { try? FileManager.default.removeItem(at: temporary) }
        let sink = DiffSink(exampleLimit: exampleLimit, writer: writer, sampleLimit: changedRowSample)
        let differ = CheckpointDiffer(
            keying: keying, rowsPerBucket: rowsPerBucket, bucketCount: bucketCount, scratchDirectory: scratch)
        try differ.diff(
            previous: CheckpointDirectoryLines(directory: location.previousDirectory, manifest: previous),
            current: CheckpointDirectoryLines(directory: location.directory, manifest: current), into: sink)
        _ = try writer.finish()
        if rename(temporary.path, target.path) != 0 {
            throw DiffError.output(path: target.path, reason: String(cString: strerror(errno)))
        }
        return sink
    }

    /// Logs a unit's diff with constant messages and `diff.*` metadata.
    static func log(_ diff: UnitDiff, logger: Logger) {
        if let error = diff.error {
            logger.warning("checkpoint diff failed", metadata: ["error": "\(error)"])
            return
        }
        var metadata: Logger.Metadata = [
            "diff.added": "\(diff.added)", "diff.removed": "\(diff.removed)", "diff.changed": "\(diff.changed)",
            "diff.unchanged": "\(diff.unchanged)",
        ]
        if let key = diff.key { metadata["diff.key"] = "\(key)" }
        if let file = diff.file { metadata["diff.file"] = "\(file)" }
        if let aggregates = diff.aggregates { metadata["diff.aggregates.changed"] = "\(aggregates.count)" }
        logger.info("checkpoint diff", metadata: metadata)
    }
}

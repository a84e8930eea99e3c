import ChainETLCore
import Foundation

/// Compares two checkpoints of one unit row by row, with memory bounded by `rowsPerBucket`.
///
/// Both sides are keyed (`DiffKeying`). When the larger side has at most `rowsPerBucket` rows the
/// previous side is held in memory and the new side streamed against it. Otherwise each side is
/// hash-partitioned by key into K spill files (K = rows / rowsPerBucket, rounded up, at most
/// `maximumBuckets`), and bucket i of the previous side is loaded and matched against bucket i of
/// the new side, one bucket at a time. Sort order is never assumed.
struct CheckpointDiffer {
    var keying: DiffKeying
    /// Rows held in memory at once (one bucket of the previous side).
    var rowsPerBucket = 200_000
    /// Forces the bucket count (tests use small values); nil derives it from the row counts.
    var bucketCount: Int?
    /// Where spill files go (created and removed by `diff`).
    var scratchDirectory: URL

    static let maximumBuckets = 512

    /// The bucket count used for sides of these sizes.
    func buckets(previousRows: Int, currentRows: Int) -> Int {
        if let bucketCount { return max(1, bucketCount) }
        let rows = max(previousRows, currentRows)
        return min(Self.maximumBuckets, max(1, (rows + rowsPerBucket - 1) / max(1, rowsPerBucket)))
    }

    /// Streams both sides and records every added, removed and changed row into `sink`.
    func diff(previous: CheckpointDirectoryLines, current: CheckpointDirectoryLines, into sink: DiffSink) throws {
        let count = buckets(previousRows: previous.rowCount, currentRows: current.rowCount)
        var key: [UInt8] = []
        key.reserveCapacity(128)
        if count == 1 {
            var table = DiffBucketTable()
            try previous.forEachLine { line in
                let digest = keying.entry(of: line, key: &key)
                // A compact copy: a slice of the reused buffer would keep its whole capacity alive.
                table.insert(key: key.withUnsafeBufferPointer { Array($0) }[...], digest: digest)
            }
            try current.forEachLine { line in
                let digest = keying.entry(of: line, key: &key)
                try table.match(key: key[...], digest: digest, into: sink)
            }
            try table.reportRemoved(into: sink)
            return
        }

        try FileManager.default.createDirectory(at: scratchDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratchDirectory) }
        let old = try DiffSpill(directory: scratchDirectory, side: "previous", bucketCount: count)
        try previous.forEachLine { line in
            let digest = keying.entry(of: line, key: &key)
            try old.append(key: key, digest: digest)
        }
        try old.finish()
        let new = try DiffSpill(directory: scratchDirectory, side: "current", bucketCount: count)
        try current.forEachLine { line in
            let digest = keying.entry(of: line, key: &key)
            try new.append(key: key, digest: digest)
        }
        try new.finish()

        for bucket in 0..<count {
            var table = DiffBucketTable()
            let oldBytes = try old.contents(of: bucket)
            try DiffSpill.forEachEntry(in: oldBytes) { key, digest in table.insert(key: key, digest: digest) }
            old.remove(bucket)
            let newBytes = try new.contents(of: bucket)
            try DiffSpill.forEachEntry(in: newBytes) { key, digest in
                try table.match(key: key, digest: digest, into: sink)
            }
            new.remove(bucket)
            try table.reportRemoved(into: sink)
        }
    }
}

import ChainETLCore

/// Collects a diff's results: counts, the first `exampleLimit` ids of each kind, and (when given a
/// writer) every id as a `{"change":"added","id":"…"}` line.
final class DiffSink {
    let exampleLimit: Int
    private let writer: GzipLineWriter?
    private(set) var counts: [DiffChange: Int] = [:]
    private(set) var unchanged = 0
    private(set) var examples: [DiffChange: [String]] = [:]
    /// The first `sampleLimit` changed ids, whatever `exampleLimit` is (for `ChangedRowSampler`).
    private(set) var changedSample: [String] = []
    let sampleLimit: Int
    private var line = JSONLineWriter(capacity: 128)

    init(exampleLimit: Int, writer: GzipLineWriter?, sampleLimit: Int = 0) {
        self.exampleLimit = exampleLimit
        self.sampleLimit = sampleLimit
        self.writer = writer
    }

    func count(_ change: DiffChange) -> Int { counts[change] ?? 0 }

    /// Records a row whose key and content are the same on both sides.
    func recordUnchanged() {
        unchanged += 1
    }

    /// Records a row `key` (its `ordinal`-th repeat) that was added, removed or changed.
    func record(_ change: DiffChange, key: ArraySlice<UInt8>, ordinal: Int) throws {
        counts[change, default: 0] += 1
        var id = String(decoding: key, as: UTF8.self)
        if ordinal > 0 { id += "#\(ordinal)" }
        if examples[change, default: []].count < exampleLimit {
            examples[change, default: []].append(id)
        }
        if change == .changed && changedSample.count < sampleLimit {
            changedSample.append(id)
        }
        if let writer {
            line.reset()
            line.beginObject()
            line.key("change")
            line.string(change.rawValue)
            line.key("id")
            line.string(id)
            line.endObject()
            try writer.append(line)
        }
    }
}

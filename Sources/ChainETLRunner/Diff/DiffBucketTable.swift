/// The previous side of one bucket in memory: every key with its content digests in arrival
/// order, matched against the new side as it streams by.
struct DiffBucketTable {
    private struct Slot {
        var digests: [DiffDigest]
        /// How many rows with this key the new side has shown so far.
        var seen = 0
    }

    private var index: [ArraySlice<UInt8>: Int] = [:]
    private var keys: [ArraySlice<UInt8>] = []
    private var slots: [Slot] = []
    /// Repeats of keys the previous side does not have, for `key#n` ids.
    private var addedSeen: [ArraySlice<UInt8>: Int] = [:]

    var isEmpty: Bool { keys.isEmpty }

    /// Adds a previous-side row.
    mutating func insert(key: ArraySlice<UInt8>, digest: DiffDigest) {
        if let position = index[key] {
            slots[position].digests.append(digest)
        } else {
            index[key] = keys.count
            keys.append(key)
            slots.append(Slot(digests: [digest]))
        }
    }

    /// Matches a new-side row: unchanged, changed (same key, other content) or added.
    mutating func match(key: ArraySlice<UInt8>, digest: DiffDigest, into sink: DiffSink) throws {
        guard let position = index[key] else {
            let ordinal = addedSeen[key, default: 0]
            addedSeen[ordinal == 0 ? key.withUnsafeBufferPointer { Array($0) }[...] : key] = ordinal + 1
            try sink.record(.added, key: key, ordinal: ordinal)
            return
        }
        let ordinal = slots[position].seen
        slots[position].seen += 1
        if ordinal >= slots[position].digests.count {
            try sink.record(.added, key: key, ordinal: ordinal)
        } else if slots[position].digests[ordinal] == digest {
            sink.recordUnchanged()
        } else {
            try sink.record(.changed, key: key, ordinal: ordinal)
        }
    }

    /// Reports the previous-side rows the new side never matched, in their original order.
    func reportRemoved(into sink: DiffSink) throws {
        for (position, slot) in slots.enumerated() where slot.seen < slot.digests.count {
            for ordinal in slot.seen..<slot.digests.count {
                try sink.record(.removed, key: keys[position], ordinal: ordinal)
            }
        }
    }
}

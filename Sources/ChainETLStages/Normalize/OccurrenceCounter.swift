/// Counts identical identity tuples within one block, giving each row its `occurrence`.
///
/// A transaction lives in exactly one block and raw inputs are sorted by block, so only the
/// current block's tuples are kept: memory is bounded by the largest block, not the input. The
/// tuple bytes go into one reusable arena and are found by hash, so counting allocates nothing
/// once the buffers have grown to the largest block.
///
/// A block number lower than the previous one means the input is not sorted; counting would
/// silently restart at 0 for a block seen before, so it fails with `NormalizeError.blockOutOfOrder`
/// instead. Each input is sorted on its own: call `reset()` between inputs.
struct OccurrenceCounter {
    private struct Entry {
        var start: Int
        var count: Int
        var occurrences: Int
        var next: Int  // next entry with the same hash, or -1
    }

    private(set) var block: Int?
    private var arena: [UInt8] = []
    private var entries: [Entry] = []
    private var heads: [Int: Int] = [:]

    init() {
        arena.reserveCapacity(64 * 1024)
        entries.reserveCapacity(256)
        heads.reserveCapacity(256)
    }

    /// Forgets everything, for the next (separately sorted) input.
    mutating func reset() {
        block = nil
        clearBlock()
    }

    /// The 0-based ordinal of `tuple` among identical tuples seen so far in `block`.
    mutating func next(tuple: UnsafeRawBufferPointer, block newBlock: Int, line: Int) throws -> Int {
        if let current = block, current != newBlock {
            guard newBlock > current else {
                throw NormalizeError.blockOutOfOrder(line: line, block: newBlock, previousBlock: current)
            }
            clearBlock()
        }
        block = newBlock
        var hasher = Hasher()
        hasher.combine(bytes: tuple)
        let hash = hasher.finalize()
        var index = heads[hash] ?? -1
        while index >= 0 {
            let entry = entries[index]
            let same = arena.withUnsafeBytes { stored in
                entry.count == tuple.count
                    && UnsafeRawBufferPointer(rebasing: stored[entry.start..<(entry.start + entry.count)])
                        .elementsEqual(tuple)
            }
            if same {
                entries[index].occurrences += 1
                return entries[index].occurrences - 1
            }
            index = entry.next
        }
        entries.append(Entry(start: arena.count, count: tuple.count, occurrences: 1, next: heads[hash] ?? -1))
        arena.append(contentsOf: tuple)
        heads[hash] = entries.count - 1
        return 0
    }

    private mutating func clearBlock() {
        arena.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        heads.removeAll(keepingCapacity: true)
    }
}

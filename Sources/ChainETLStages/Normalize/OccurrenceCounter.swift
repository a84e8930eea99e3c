import Foundation

/// Counts identical identity tuples within one block, giving each row its `occurrence`.
///
/// A transaction lives in exactly one block and raw inputs are sorted by block, so only the
/// current block's tuples are kept: memory is bounded by the largest block, not the input. The
/// tuple bytes go into one reusable arena and are found through an open-addressed table of entry
/// indexes, so counting allocates nothing once the buffers have grown to the largest block, and a
/// new block clears only the slots the previous one used.
///
/// The hash is a multiply-mix over 8-byte words with a per-counter random seed: the counters
/// (identity and, for getLogs, the duplicate-log check) took 2.7 % of the normalize stage's
/// instructions with `Hasher` (SipHash) and `Dictionary`, 1.2 % this way (docs/performance.md).
/// Tuples are compared byte for byte, so a collision costs time, never a wrong count; the seed
/// keeps a crafted input from choosing collisions.
///
/// A block number lower than the previous one means the input is not sorted; counting would
/// silently restart at 0 for a block seen before, so it fails with `NormalizeError.blockOutOfOrder`
/// instead. Each input is sorted on its own: call `reset()` between inputs.
struct OccurrenceCounter {
    private struct Entry {
        var start: Int
        var count: Int
        var occurrences: Int
        var hash: UInt64
    }

    private(set) var block: Int?
    private var arena: [UInt8] = []
    private var entries: [Entry] = []
    /// Entry index + 1 per slot, 0 when free; linear probing, at most half full.
    private var slots: [Int32]
    private let seed: UInt64

    init() {
        arena.reserveCapacity(64 * 1024)
        entries.reserveCapacity(256)
        slots = [Int32](repeating: 0, count: 512)
        seed = UInt64.random(in: 1...UInt64.max)
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
        let hash = Self.hash(tuple, seed: seed)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let stored = Int(slots[slot])
            if stored == 0 { break }
            let entry = entries[stored - 1]
            if entry.hash == hash && entry.count == tuple.count && sameBytes(entry, tuple) {
                entries[stored - 1].occurrences += 1
                return entry.occurrences
            }
            slot = (slot + 1) & mask
        }
        entries.append(Entry(start: arena.count, count: tuple.count, occurrences: 1, hash: hash))
        arena.append(contentsOf: tuple)
        slots[slot] = Int32(entries.count)
        if entries.count * 2 > slots.count { grow() }
        return 0
    }

    private func sameBytes(_ entry: Entry, _ tuple: UnsafeRawBufferPointer) -> Bool {
        guard entry.count > 0 else { return true }
        return arena.withUnsafeBytes { stored in
            memcmp(stored.baseAddress! + entry.start, tuple.baseAddress!, entry.count) == 0
        }
    }

    /// Doubles the table and puts every entry of the block back.
    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (index, entry) in entries.enumerated() {
            var slot = Int(truncatingIfNeeded: entry.hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index + 1)
        }
    }

    private mutating func clearBlock() {
        if entries.count * 8 < slots.count {
            // Few entries: free the slots they used (probing only ever moved them forward).
            let mask = slots.count - 1
            for entry in entries {
                var slot = Int(truncatingIfNeeded: entry.hash) & mask
                while slots[slot] != 0 {
                    slots[slot] = 0
                    slot = (slot + 1) & mask
                }
            }
        } else {
            slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        arena.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }

    /// A 64-bit hash of `bytes`, 8 bytes per step.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        var hash = seed ^ UInt64(bytes.count)
        var index = 0
        while index + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            hash = (hash ^ word) &* multiplier
            hash ^= hash >> 29
            index += 8
        }
        if index < bytes.count {
            var word: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count {
                word |= UInt64(bytes[index]) << shift
                shift += 8
                index += 1
            }
            hash = (hash ^ word) &* multiplier
        }
        // Final avalanche (MurmurHash3's fmix64), so the low bits that pick a slot depend on all.
        hash ^= hash >> 33
        hash = hash &* 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash = hash &* 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 33
        return hash
    }
}

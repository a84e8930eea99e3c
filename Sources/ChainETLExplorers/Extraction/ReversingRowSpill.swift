import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A temporary file that takes rows in one order and gives them back in the reverse order, with
/// memory bounded by two fixed buffers whatever the number of rows.
///
/// Blockscout REST v2 lists are newest first while raw checkpoints are written oldest first: the
/// walk appends each kept item here, then `forEachReversed` reads the file backwards. Each record
/// is the row's bytes followed by a fixed 40-byte trailer (block number, log index or −1, page,
/// fetched-at unix seconds, row length; little-endian Int64s), so reading backwards needs no index
/// and no parsing. The file is unlinked as soon as it is created: nothing is left behind, even
/// after `kill -9`. One spill belongs to one walk on one thread.
final class ReversingRowSpill {
    /// One row with what the raw checkpoint line needs besides it.
    struct Record {
        var row: ExplorerRow
        var page: Int
        var fetchedAtUnixSeconds: Int
    }

    private static let trailerSize = 40

    private let file: UnlinkedTemporaryFile
    private var writeBuffer: [UInt8] = []
    private let bufferSize: Int
    private var fileSize = 0
    /// Records appended so far.
    private(set) var count = 0

    /// Creates and unlinks a new file in `directory` (the system temporary directory when nil).
    init(directory: URL?, bufferSize: Int = 1 << 20) throws {
        file = try UnlinkedTemporaryFile(directory: directory, prefix: "chainetl-keyset")
        self.bufferSize = bufferSize
        writeBuffer.reserveCapacity(bufferSize)
    }

    /// Appends one record.
    func append(_ record: Record) throws {
        writeBuffer.append(contentsOf: record.row.bytes)
        appendField(record.row.blockNumber)
        appendField(record.row.logIndex ?? -1)
        appendField(record.page)
        appendField(record.fetchedAtUnixSeconds)
        appendField(record.row.bytes.count)
        count += 1
        if writeBuffer.count >= bufferSize { try flush() }
    }

    private func appendField(_ value: Int) {
        withUnsafeBytes(of: Int64(value).littleEndian) { writeBuffer.append(contentsOf: $0) }
    }

    /// Calls `body` with every record, last appended first.
    func forEachReversed(_ body: (Record) throws -> Void) throws {
        try flush()
        var buffer: [UInt8] = []
        var bufferStart = 0
        var bufferEnd = 0
        /// Makes `buffer` hold the file bytes `[low, high)` (and up to `bufferSize` below them).
        func load(_ low: Int, _ high: Int) throws {
            if low >= bufferStart && high <= bufferEnd { return }
            let start = max(0, min(low, high - bufferSize))
            buffer = try read(start..<high, reusing: buffer)
            bufferStart = start
            bufferEnd = high
        }
        var end = fileSize
        while end > 0 {
            guard end >= Self.trailerSize else { throw corrupt(at: end) }
            try load(end - Self.trailerSize, end)
            let trailer = end - Self.trailerSize - bufferStart
            func field(_ index: Int) -> Int {
                buffer.withUnsafeBytes { raw in
                    Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: trailer + index * 8, as: Int64.self)))
                }
            }
            let (blockNumber, logIndex, page, fetchedAt, length) = (field(0), field(1), field(2), field(3), field(4))
            let rowStart = end - Self.trailerSize - length
            guard length >= 0, rowStart >= 0 else { throw corrupt(at: end) }
            try load(rowStart, end)
            let bytes = Array(buffer[(rowStart - bufferStart)..<(rowStart - bufferStart + length)])
            let row = ExplorerRow(
                bytes: bytes, blockNumber: blockNumber, logIndex: logIndex < 0 ? nil : logIndex,
                hasReadableBlockNumber: blockNumber >= 0)
            try body(Record(row: row, page: page, fetchedAtUnixSeconds: fetchedAt))
            end = rowStart
        }
    }

    private func corrupt(at offset: Int) -> ExplorerError {
        .localFile(operation: "read back (record ending at byte \(offset) is cut)", path: file.path, code: EIO)
    }

    private func flush() throws {
        guard !writeBuffer.isEmpty else { return }
        try writeBuffer.withUnsafeBytes { try file.write($0, at: fileSize) }
        fileSize += writeBuffer.count
        writeBuffer.removeAll(keepingCapacity: true)
    }

    private func read(_ range: Range<Int>, reusing storage: [UInt8]) throws -> [UInt8] {
        var bytes = storage
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: repeatElement(0, count: range.count))
        let got = try bytes.withUnsafeMutableBytes { try file.read(into: $0, at: range.lowerBound) }
        guard got == range.count else { throw corrupt(at: range.upperBound) }
        return bytes
    }
}

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

    private let path: String
    private var descriptor: Int32
    private var writeBuffer: [UInt8] = []
    private let bufferSize: Int
    private var fileSize = 0
    /// Records appended so far.
    private(set) var count = 0

    /// Creates and unlinks a new file in `directory` (the system temporary directory when nil).
    init(directory: URL?, bufferSize: Int = 1 << 20) throws {
        let base = directory ?? FileManager.default.temporaryDirectory
        path = base.appendingPathComponent("chainetl-keyset-\(UUID().uuidString).spill").path
        self.bufferSize = bufferSize
        descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ExplorerError.localFile(operation: "create", path: path, code: errno) }
        guard unlink(path) == 0 else {
            let code = errno
            close(descriptor)
            descriptor = -1
            throw ExplorerError.localFile(operation: "unlink", path: path, code: code)
        }
        writeBuffer.reserveCapacity(bufferSize)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
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
        .localFile(operation: "read back (record ending at byte \(offset) is cut)", path: path, code: EIO)
    }

    private func flush() throws {
        guard !writeBuffer.isEmpty else { return }
        let failure: Int32? = writeBuffer.withUnsafeBytes { raw -> Int32? in
            var offset = 0
            while offset < raw.count {
                let written = pwrite(
                    descriptor, raw.baseAddress! + offset, raw.count - offset, off_t(fileSize + offset))
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        if let failure { throw ExplorerError.localFile(operation: "write", path: path, code: failure) }
        fileSize += writeBuffer.count
        writeBuffer.removeAll(keepingCapacity: true)
    }

    private func read(_ range: Range<Int>, reusing storage: [UInt8]) throws -> [UInt8] {
        var bytes = storage
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: repeatElement(0, count: range.count))
        let failure: Int32? = bytes.withUnsafeMutableBytes { raw -> Int32? in
            var offset = 0
            while offset < raw.count {
                let got = pread(
                    descriptor, raw.baseAddress! + offset, raw.count - offset, off_t(range.lowerBound + offset))
                if got < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if got == 0 { return EIO }
                offset += got
            }
            return nil
        }
        if let failure { throw ExplorerError.localFile(operation: "read", path: path, code: failure) }
        return bytes
    }
}

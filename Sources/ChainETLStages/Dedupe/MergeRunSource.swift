import ChainETLCore

/// One block-sorted run for `TransferDeduplicator`: a checkpoint part (verified against its
/// manifest as it is read) or a scratch file of an earlier merge pass.
struct MergeRunSource: RecordLineSource {
    let name: String
    private let next: () throws -> UnsafeRawBufferPointer?
    private let integrity: () throws -> Void

    /// A part of an upstream checkpoint.
    init(input: String, part: CheckpointFile, reader: CheckpointReader, chunkSize: Int) throws {
        let lines = try reader.lineReader(for: part, chunkSize: chunkSize)
        name = "\(input)/\(part.name)"
        next = { try lines.nextLine() }
        integrity = { try lines.checkBytes() }
    }

    /// A scratch file this stage wrote.
    init(scratch path: String, chunkSize: Int) throws {
        let lines = try GzipLineReader(path: path, chunkSize: chunkSize)
        name = path
        next = { try lines.nextLine() }
        integrity = {}
    }

    func checkIntegrity() throws {
        try integrity()
    }

    mutating func nextLine(into line: inout [UInt8]) throws -> Bool {
        guard let bytes = try next() else { return false }
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: bytes)
        return true
    }
}

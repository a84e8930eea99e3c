import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One side of a diff spilled into `bucketCount` temporary files by a hash of each row's key, so
/// that every key lands in the same bucket on both sides and each bucket can be compared in memory.
///
/// An entry is `[key length: UInt16 LE][key bytes][content digest: 16 bytes]`. Each bucket keeps
/// a 64 KiB buffer, so memory is `bucketCount × 64 KiB` whatever the input size.
final class DiffSpill {
    static let bufferSize = 64 * 1024
    /// Keys longer than this are replaced by their digest (keys are short: ids and hashes).
    static let maximumKeyLength = Int(UInt16.max)

    let directory: URL
    let side: String
    let bucketCount: Int
    private var buffers: [[UInt8]]
    private var descriptors: [Int32]
    private(set) var entries = 0

    /// Creates the bucket files `<side>-NNNN.spill` in `directory`.
    init(directory: URL, side: String, bucketCount: Int) throws {
        precondition(bucketCount > 0, "a spill needs at least one bucket")
        self.directory = directory
        self.side = side
        self.bucketCount = bucketCount
        buffers = Array(repeating: [], count: bucketCount)
        descriptors = []
        for bucket in 0..<bucketCount {
            let path = Self.path(directory: directory, side: side, bucket: bucket)
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                let code = errno
                closeAll()
                throw DiffError.spill(path: path, reason: String(cString: strerror(code)))
            }
            descriptors.append(descriptor)
            buffers[bucket].reserveCapacity(Self.bufferSize)
        }
    }

    deinit {
        closeAll()
    }

    static func path(directory: URL, side: String, bucket: Int) -> String {
        let digits = String(bucket)
        return directory.appendingPathComponent(
            side + "-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits + ".spill"
        ).path
    }

    /// The bucket of `key` among `bucketCount`.
    static func bucket(of key: [UInt8], bucketCount: Int) -> Int {
        Int(DiffDigest.of(key).low % UInt64(bucketCount))
    }

    /// Appends one entry to its bucket.
    func append(key: [UInt8], digest: DiffDigest) throws {
        let bucket = Self.bucket(of: key, bucketCount: bucketCount)
        let stored = key.count <= Self.maximumKeyLength ? key : Array(("key:" + DiffDigest.of(key).hex).utf8)
        buffers[bucket].append(UInt8(truncatingIfNeeded: stored.count))
        buffers[bucket].append(UInt8(truncatingIfNeeded: stored.count >> 8))
        buffers[bucket].append(contentsOf: stored)
        for shift in stride(from: 0, to: 64, by: 8) {
            buffers[bucket].append(UInt8(truncatingIfNeeded: digest.high >> UInt64(shift)))
        }
        for shift in stride(from: 0, to: 64, by: 8) {
            buffers[bucket].append(UInt8(truncatingIfNeeded: digest.low >> UInt64(shift)))
        }
        entries += 1
        if buffers[bucket].count >= Self.bufferSize { try flush(bucket) }
    }

    /// Writes every buffer out and closes the files.
    func finish() throws {
        for bucket in 0..<bucketCount { try flush(bucket) }
        closeAll()
    }

    /// Reads bucket `bucket` of a finished spill.
    func contents(of bucket: Int) throws -> [UInt8] {
        let path = Self.path(directory: directory, side: side, bucket: bucket)
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw DiffError.spill(path: path, reason: "cannot be read back (\(error.localizedDescription))")
        }
    }

    /// Removes bucket `bucket`'s file (after it has been compared).
    func remove(_ bucket: Int) {
        unlink(Self.path(directory: directory, side: side, bucket: bucket))
    }

    /// Calls `body` with each entry of a bucket's bytes, in the order they were appended.
    static func forEachEntry(in bytes: [UInt8], _ body: (ArraySlice<UInt8>, DiffDigest) throws -> Void) throws {
        var index = 0
        func word(at start: Int) -> UInt64 {
            var value: UInt64 = 0
            for offset in 0..<8 { value |= UInt64(bytes[start + offset]) << UInt64(offset * 8) }
            return value
        }
        while index < bytes.count {
            guard index + 2 <= bytes.count else { throw DiffError.corruptSpill }
            let length = Int(bytes[index]) | Int(bytes[index + 1]) << 8
            let keyStart = index + 2
            let digestStart = keyStart + length
            guard digestStart + 16 <= bytes.count else { throw DiffError.corruptSpill }
            try body(
                bytes[keyStart..<digestStart], DiffDigest(high: word(at: digestStart), low: word(at: digestStart + 8)))
            index = digestStart + 16
        }
    }

    private func flush(_ bucket: Int) throws {
        guard !buffers[bucket].isEmpty else { return }
        let path = Self.path(directory: directory, side: side, bucket: bucket)
        try buffers[bucket].withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptors[bucket], bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw DiffError.spill(path: path, reason: String(cString: strerror(errno)))
                }
                offset += written
            }
        }
        buffers[bucket].removeAll(keepingCapacity: true)
    }

    private func closeAll() {
        for descriptor in descriptors where descriptor >= 0 { close(descriptor) }
        descriptors = descriptors.map { _ in -1 }
    }
}

import ChainETLStages

/// A `RecordLineSource` over NDJSON bytes already in memory (tests, benchmarks, small inputs).
/// Empty lines are skipped.
public struct ByteLineSource: RecordLineSource, Sendable {
    public let name: String
    private let bytes: [UInt8]
    private var offset = 0

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    public mutating func nextLine(into line: inout [UInt8]) throws -> Bool {
        while offset < bytes.count {
            let start = offset
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            offset = end + 1
            if end > start {
                line.removeAll(keepingCapacity: true)
                line.append(contentsOf: bytes[start..<end])
                return true
            }
        }
        return false
    }
}

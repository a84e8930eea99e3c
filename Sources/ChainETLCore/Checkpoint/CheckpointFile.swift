/// One gzip NDJSON file of a checkpoint as its manifest records it.
public struct CheckpointFile: Codable, Sendable, Hashable {
    /// The file name inside the checkpoint directory, e.g. `part-00000.ndjson.gz`.
    public var name: String
    /// Number of lines (records) in the file.
    public var rows: Int
    /// Size of the compressed file in bytes.
    public var bytes: Int
    /// Lowercase hex SHA-256 of the compressed file.
    public var sha256: String

    public init(name: String, rows: Int, bytes: Int, sha256: String) {
        self.name = name
        self.rows = rows
        self.bytes = bytes
        self.sha256 = sha256
    }
}

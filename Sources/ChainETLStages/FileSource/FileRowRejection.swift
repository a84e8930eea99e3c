import ChainETLCore

/// A file row set aside with its location and reason: one line of a `quarantine.ndjson.gz` side file.
///
/// `{"file":"data/executions.ndjson","line":12,"reason":"…","text":"…"}`; `text` is the start of
/// the offending line (at most 200 characters), omitted when the row was already parsed.
struct FileRowRejection: Error, Equatable, Sendable {
    static let excerptLength = 200

    var file: String
    var line: Int
    var reason: String
    var text: String?

    /// `file:line: reason`, for logs and run details.
    var summary: String { "\(file):\(line): \(reason)" }

    /// The quarantine line, without its newline.
    func jsonLine() -> JSONLineWriter {
        var writer = JSONLineWriter(capacity: 256)
        writer.beginObject()
        writer.key("file")
        writer.string(file)
        writer.key("line")
        writer.int(line)
        writer.key("reason")
        writer.string(reason)
        if let text {
            writer.key("text")
            writer.string(String(text.prefix(Self.excerptLength)))
        }
        writer.endObject()
        return writer
    }

    /// The start of a raw line, decoded leniently.
    static func excerpt(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes.prefix(excerptLength * 4), as: UTF8.self)
    }
}

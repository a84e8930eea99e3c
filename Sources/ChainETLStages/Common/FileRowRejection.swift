import ChainETLCore

/// A file row set aside with its location and reason: one line of a `quarantine.ndjson.gz` side file.
///
/// `{"file":"data/executions.ndjson","line":12,"reason":"…","text":"…"}`; `text` is the whole
/// offending line or row (as explorer quarantine keeps the whole raw row), omitted when there is
/// none to keep.
struct FileRowRejection: Error, Equatable, Sendable {
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
            writer.string(text)
        }
        writer.endObject()
        return writer
    }

    /// A whole raw line, decoded leniently (invalid UTF-8 becomes U+FFFD).
    static func rawText(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}

/// The layout of an application-event file read by `extract/file`.
enum FileRowFormat: String, Sendable, CaseIterable {
    /// One JSON object per line (`.ndjson`, `.jsonl`).
    case ndjson
    /// RFC 4180 CSV with a header line (`.csv`).
    case csv

    /// The format a `format:` value asks for; `auto` (nil here) means "from the file name".
    static func resolve(_ requested: String?, path: String) throws(FileSourceError) -> FileRowFormat {
        if let requested, requested != "auto", let format = FileRowFormat(rawValue: requested) { return format }
        let lowered = path.lowercased()
        if lowered.hasSuffix(".ndjson") || lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".json") { return .ndjson }
        if lowered.hasSuffix(".csv") { return .csv }
        throw .unknownFormat(path: path)
    }
}

import ChainETLCore

/// Streams an application-event file (NDJSON or CSV) into `file-row/1` lines, one per row:
///
///     {"file":"data/executions.ndjson","line":12,"row":{…}}
///
/// An NDJSON row is embedded byte for byte (surrounding whitespace dropped); a CSV row becomes an
/// object of the header's column names to string values. Lines that are not a JSON object, CSV
/// records that break RFC 4180 or have the wrong number of fields, and rows whose `time_field`
/// cannot be read are rejected with `file:line` and a reason. With a time field, rows of other
/// days are counted as excluded. Memory holds one line at a time.
struct FileRowExtractor {
    /// What one pass over the file found.
    struct Counts: Equatable, Sendable {
        var rowsIn = 0
        var rowsOut = 0
        var quarantined = 0
        var excluded = 0
    }

    /// The file to open.
    let path: String
    /// The path as the pipeline wrote it, recorded in every line.
    let displayPath: String
    let format: FileRowFormat
    /// When set, only rows whose value here falls on the partition day are kept.
    let timeField: JSONFieldPath?

    /// Reads the whole file, handing each output line (without newline) to `emit` and each
    /// rejected row to `reject`.
    func extract(
        day: PartitionDay, emit: (UnsafeRawBufferPointer) throws -> Void,
        reject: (FileRowRejection) throws -> Void
    ) throws -> Counts {
        var counts = Counts()
        var writer = JSONLineWriter(capacity: 1024)
        func handle(_ line: Int, _ row: UnsafeRawBufferPointer) throws {
            if let timeField {
                let verdict = Self.day(of: row, at: timeField)
                switch verdict {
                case .failure(let problem):
                    counts.quarantined += 1
                    try reject(
                        FileRowRejection(
                            file: displayPath, line: line, reason: "time field '\(timeField)' \(problem)",
                            text: FileRowRejection.rawText(row)))
                    return
                case .success(let rowDay) where rowDay != day:
                    counts.excluded += 1
                    return
                case .success:
                    break
                }
            }
            writer.reset()
            writer.beginObject()
            writer.key("file")
            writer.string(displayPath)
            writer.key("line")
            writer.int(line)
            writer.key("row")
            writer.raw(row)
            writer.endObject()
            try writer.bytes.withUnsafeBytes { try emit($0) }
            counts.rowsOut += 1
        }
        func rejectLine(_ line: Int, _ reason: String, _ text: String?) throws {
            counts.quarantined += 1
            try reject(FileRowRejection(file: displayPath, line: line, reason: reason, text: text))
        }

        switch format {
        case .ndjson:
            let reader = try FileLineReader(path: path)
            while let line = try reader.nextLine() {
                let trimmed = Self.trimmed(line)
                if trimmed.isEmpty { continue }
                counts.rowsIn += 1
                if let problem = Self.objectProblem(trimmed) {
                    try rejectLine(reader.lineNumber, problem, FileRowRejection.rawText(trimmed))
                    continue
                }
                try handle(reader.lineNumber, trimmed)
            }
        case .csv:
            let reader = try CSVRecordReader(path: path)
            var header: [String]?
            var object = JSONLineWriter(capacity: 512)
            while let record = try reader.next() {
                guard let columns = header else {
                    switch record {
                    case .malformed(let reason, let line):
                        throw FileSourceError.invalidHeader(path: displayPath, line: line, reason: reason)
                    case .fields(let names, let line):
                        header = try Self.checkedHeader(names, path: displayPath, line: line)
                    }
                    continue
                }
                counts.rowsIn += 1
                switch record {
                case .malformed(let reason, let line):
                    try rejectLine(line, reason, nil)
                case .fields(let fields, let line):
                    guard fields.count == columns.count else {
                        try rejectLine(
                            line, "the record has \(fields.count) fields but the header has \(columns.count)",
                            fields.joined(separator: ","))
                        continue
                    }
                    object.reset()
                    object.beginObject()
                    for (name, value) in zip(columns, fields) {
                        object.key(name)
                        object.string(value)
                    }
                    object.endObject()
                    try object.bytes.withUnsafeBytes { try handle(line, $0) }
                }
            }
            if header == nil { throw FileSourceError.missingHeader(path: displayPath) }
        }
        return counts
    }

    /// Why `line` is not one JSON object in valid UTF-8, or nil when it is.
    static func objectProblem(_ line: UnsafeRawBufferPointer) -> String? {
        guard String(validating: line, as: UTF8.self) != nil else {
            return "the line is not valid UTF-8; save the file as UTF-8"
        }
        do {
            let root = try JSONScanner(bytes: line).root()
            guard root.kind == .object else { return "the line is json but not an object; write one object per line" }
            return nil
        } catch {
            return "the line is not valid json: \(error)"
        }
    }

    /// The UTC day of the value at `path` in the JSON object `row`.
    static func day(of row: UnsafeRawBufferPointer, at path: JSONFieldPath) -> Result<PartitionDay, FieldProblem> {
        let scanner = JSONScanner(bytes: row)
        guard let root = try? scanner.root(), let slice = try? path.resolve(in: scanner, object: root) else {
            return .failure(.missing)
        }
        return EventTimestamp.parse(slice, in: scanner).map(\.day)
    }

    private static func checkedHeader(_ names: [String], path: String, line: Int) throws(FileSourceError) -> [String] {
        var seen = Set<String>()
        for name in names {
            let trimmed = name.trimmingASCIIWhitespace()
            guard !trimmed.isEmpty else {
                throw .invalidHeader(path: path, line: line, reason: "a column has an empty name")
            }
            guard seen.insert(trimmed).inserted else {
                throw .invalidHeader(path: path, line: line, reason: "column '\(trimmed)' appears twice")
            }
        }
        return names.map { $0.trimmingASCIIWhitespace() }
    }

    private static func trimmed(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var end = line.count
        while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        while end > start, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: line[start..<end])
    }
}

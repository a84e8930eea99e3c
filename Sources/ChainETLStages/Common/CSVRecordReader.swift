/// Reads RFC 4180 CSV records from a file, one record at a time.
///
/// Fields are separated by `,`; a field may be quoted with `"`, a doubled `""` inside quotes is a
/// quote, and quoted fields may span lines (the line break is kept as `\n`). A record that breaks
/// these rules is returned as `.malformed` with its first line, and reading continues with the
/// next line, so one bad record never stops a file.
final class CSVRecordReader {
    /// One record, or why its lines could not be read as one.
    enum Record: Equatable {
        case fields([String], line: Int)
        case malformed(reason: String, line: Int)
    }

    /// Quoted fields longer than this many lines are treated as an unterminated quote.
    static let maximumLinesPerRecord = 1_000

    private static let invalidUTF8 = "a field is not valid UTF-8; save the file as UTF-8"

    private let lines: FileLineReader

    init(path: String) throws(FileSourceError) {
        lines = try FileLineReader(path: path)
    }

    var path: String { lines.path }

    /// The next record, skipping blank lines; nil at the end of the file.
    func next() throws(FileSourceError) -> Record? {
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var afterQuote = false
        var firstLine = 0
        var linesUsed = 0
        while let line = try lines.nextLine() {
            if firstLine == 0 {
                if line.isEmpty { continue }
                firstLine = lines.lineNumber
            } else {
                field.append(0x0A)  // a line break inside a quoted field
            }
            linesUsed += 1
            var malformed: String?
            for byte in line {
                if inQuotes {
                    if byte == 0x22 {
                        inQuotes = false
                        afterQuote = true
                    } else {
                        field.append(byte)
                    }
                    continue
                }
                switch byte {
                case 0x22 where afterQuote:
                    // `""` inside a quoted field: the quote closed a moment ago reopens.
                    field.append(0x22)
                    inQuotes = true
                    afterQuote = false
                case 0x22 where field.isEmpty:
                    inQuotes = true
                case 0x22:
                    malformed = "a quote inside an unquoted field; quote the whole field and double inner quotes"
                case 0x2C:
                    guard let text = String(validating: field, as: UTF8.self) else {
                        return .malformed(reason: Self.invalidUTF8, line: firstLine)
                    }
                    fields.append(text)
                    field.removeAll(keepingCapacity: true)
                    afterQuote = false
                default:
                    if afterQuote {
                        malformed = "text after a closing quote; quote the whole field and double inner quotes"
                    } else {
                        field.append(byte)
                    }
                }
                if malformed != nil { break }
            }
            if let malformed { return .malformed(reason: malformed, line: firstLine) }
            if inQuotes {
                if linesUsed >= Self.maximumLinesPerRecord {
                    return .malformed(
                        reason: "a quoted field is not closed within \(Self.maximumLinesPerRecord) lines",
                        line: firstLine)
                }
                continue
            }
            guard let text = String(validating: field, as: UTF8.self) else {
                return .malformed(reason: Self.invalidUTF8, line: firstLine)
            }
            fields.append(text)
            return .fields(fields, line: firstLine)
        }
        if firstLine != 0 {
            return .malformed(reason: "a quoted field is not closed before the end of the file", line: firstLine)
        }
        return nil
    }
}

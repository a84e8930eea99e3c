#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads an RFC 4180 CSV file row by row through a fixed buffer (memory does not grow with the
/// file).
///
/// Rows may end with CRLF or LF. An empty unquoted field is SQL NULL (`nil`); `""` is the empty
/// string, as `CSVRowBuilder` writes them and Postgres `COPY … CSV` reads them. Quoted fields may
/// hold commas, doubled quotes, CR and LF. Anything else (a quote inside an unquoted field, text
/// after a closing quote, an unterminated quote, invalid UTF-8) is an error naming the line.
final class CSVReader {
    let path: String
    /// The 1-based line on which the row last returned by `nextRow()` started.
    private(set) var rowLine = 0
    private var line = 1
    private var descriptor: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    private var count = 0
    private var index = 0
    private var atEnd = false

    init(path: String, bufferSize: Int = 128 * 1024) throws(ImportError) {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw errno == ENOENT ? .missingFile(path: path) : .unreadable(path: path, code: errno)
        }
        buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        buffer.deallocate()
    }

    /// The next row's fields, or nil after the last row.
    func nextRow() throws(ImportError) -> [String?]? {
        guard var byte = try nextByte() else { return nil }
        rowLine = line
        var fields: [String?] = []
        var field: [UInt8] = []
        while true {
            if byte == 0x22 {
                // A quoted field: up to the closing quote, "" is one quote.
                while true {
                    guard let inner = try nextByte() else { throw fail("a quoted field is not closed") }
                    if inner == 0x22 {
                        if try peekByte() == 0x22 {
                            _ = try nextByte()
                            field.append(0x22)
                            continue
                        }
                        break
                    }
                    if inner == 0x0A { line += 1 }
                    field.append(inner)
                }
                fields.append(try text(field))
                field.removeAll(keepingCapacity: true)
                guard let after = try nextByte() else { return fields }
                switch after {
                case 0x2C:
                    guard let next = try nextByte() else {
                        fields.append(nil)
                        return fields
                    }
                    byte = next
                    continue
                case 0x0D, 0x0A:
                    try endRow(after)
                    return fields
                default:
                    throw fail("text follows a closing quote; quote the whole field")
                }
            }
            // An unquoted field: up to a comma or the end of the row.
            var current: UInt8? = byte
            while let value = current, value != 0x2C, value != 0x0D, value != 0x0A {
                guard value != 0x22 else { throw fail("a quote inside an unquoted field; quote the whole field") }
                field.append(value)
                current = try nextByte()
            }
            fields.append(field.isEmpty ? nil : try text(field))
            field.removeAll(keepingCapacity: true)
            guard let separator = current else { return fields }
            if separator == 0x2C {
                guard let next = try nextByte() else {
                    fields.append(nil)
                    return fields
                }
                byte = next
                continue
            }
            try endRow(separator)
            return fields
        }
    }

    /// Consumes the LF of a CRLF and counts the line.
    private func endRow(_ terminator: UInt8) throws(ImportError) {
        if terminator == 0x0D, try peekByte() == 0x0A { _ = try nextByte() }
        line += 1
    }

    private func text(_ bytes: [UInt8]) throws(ImportError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw fail("a field is not valid UTF-8") }
        return text
    }

    private func fail(_ reason: String) -> ImportError {
        .malformedCSV(path: path, line: rowLine, reason: reason)
    }

    private func nextByte() throws(ImportError) -> UInt8? {
        guard try fill() else { return nil }
        let byte = buffer[index]
        index += 1
        return byte
    }

    private func peekByte() throws(ImportError) -> UInt8? {
        guard try fill() else { return nil }
        return buffer[index]
    }

    /// Makes at least one unread byte available; false at the end of the file.
    private func fill() throws(ImportError) -> Bool {
        if index < count { return true }
        if atEnd { return false }
        while true {
            let read = Self.systemRead(descriptor, buffer.baseAddress!, buffer.count)
            if read < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, code: errno)
            }
            if read == 0 {
                atEnd = true
                return false
            }
            count = read
            index = 0
            return true
        }
    }

    private static func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.read(descriptor, buffer, count)
        #else
            Darwin.read(descriptor, buffer, count)
        #endif
    }
}

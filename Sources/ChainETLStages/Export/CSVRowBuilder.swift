/// Builds RFC 4180 CSV rows into a reusable byte buffer.
///
/// - Fields are separated by `,` and rows end with CRLF (RFC 4180 §2.1).
/// - A field is quoted only when it must be: when it contains `,`, `"`, CR or LF, or when it is
///   the empty string. Inner quotes are doubled.
/// - SQL NULL is an empty, unquoted field; the empty string is `""`. Postgres `COPY … CSV` and
///   `chainetl import` keep the two apart; tools that do not (Python's `csv`) read both as `''`.
struct CSVRowBuilder: Sendable {
    /// The row terminator: CRLF, as RFC 4180 specifies.
    static let rowTerminator: [UInt8] = [0x0D, 0x0A]

    private(set) var bytes: [UInt8] = []
    private var atRowStart = true

    init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    /// Forgets the content, keeping the storage.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        atRowStart = true
    }

    /// Appends a field from UTF-8 bytes, quoting it if needed.
    mutating func field(utf8 value: UnsafeRawBufferPointer) {
        separate()
        guard value.count > 0 else {
            bytes.append(0x22)
            bytes.append(0x22)
            return
        }
        guard Self.needsQuoting(value) else {
            bytes.append(contentsOf: value)
            return
        }
        bytes.append(0x22)
        for byte in value {
            if byte == 0x22 { bytes.append(0x22) }
            bytes.append(byte)
        }
        bytes.append(0x22)
    }

    /// Appends a text field, quoting it if needed.
    mutating func field(_ value: String) {
        var copy = value
        copy.withUTF8 { field(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// Appends SQL NULL: an empty, unquoted field.
    mutating func null() {
        separate()
    }

    /// Ends the row with CRLF.
    mutating func endRow() {
        bytes.append(contentsOf: Self.rowTerminator)
        atRowStart = true
    }

    /// Whether `value` holds a byte that RFC 4180 only allows inside quotes.
    static func needsQuoting(_ value: UnsafeRawBufferPointer) -> Bool {
        for byte in value where byte == 0x2C || byte == 0x22 || byte == 0x0D || byte == 0x0A {
            return true
        }
        return false
    }

    private mutating func separate() {
        if atRowStart {
            atRowStart = false
        } else {
            bytes.append(0x2C)
        }
    }
}

import CLibPQ

/// The data format of a `COPY … FROM STDIN`: the statement must say the same (`FORMAT binary`).
public enum PostgresCopyFormat: Sendable {
    /// Tab-separated text rows: `appendField`, `appendNull`, `appendRawEscaped`, then `endRow()`.
    case text
    /// PostgreSQL's binary tuples (`appendBinaryTuple`); the writer adds the file header and trailer.
    case binary
}

/// Builds `COPY … FROM STDIN` rows into a buffer and streams it to the server.
///
/// Appends never fail; `endRow()` sends the buffer once it holds `flushThreshold` bytes, so
/// memory stays at one buffer plus one row whatever the row count (or `PostgresCopySender`'s
/// few buffers when a thread sends them). Non-copyable: it owns its buffer and belongs to the
/// `copyIn` call that created it.
public struct PostgresCopyWriter: ~Copyable {
    /// Bytes buffered before `endRow()` sends them to the server.
    public static let flushThreshold = 256 * 1024

    private let handle: OpaquePointer
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var used = 0
    private var atRowStart = true
    /// Rows ended so far.
    public private(set) var rowsWritten = 0
    /// Set when libpq refused data (connection lost or the server already failed the COPY).
    private(set) var transportError: PostgresError?
    private let statement: String
    private let format: PostgresCopyFormat
    /// Sends full buffers on a thread of its own; nil sends them on the caller's thread.
    private var sender: PostgresCopySender?

    init(handle: OpaquePointer, statement: String, format: PostgresCopyFormat = .text, sendOnThread: Bool = false) {
        self.handle = handle
        self.statement = statement
        self.format = format
        capacity = Self.flushThreshold + 64 * 1024
        buffer = .allocate(capacity: capacity)
        if sendOnThread {
            let spare = (1..<PostgresCopySender.bufferCount).map { _ in
                PostgresCopySender.Buffer(start: .allocate(capacity: capacity), capacity: capacity)
            }
            sender = PostgresCopySender(handle: handle, statement: statement, buffers: spare)
        }
        if format == .binary {
            // Signature, flags (no OIDs), header extension length.
            let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
            header.withUnsafeBytes { appendRaw($0) }
        }
    }

    deinit {
        if let sender {
            for spare in sender.cancel().buffers { spare.start.deallocate() }
        }
        buffer.deallocate()
    }

    /// Appends one binary tuple (field count, then each field's length and bytes, big-endian) and
    /// ends the row; see `endRow()`.
    public mutating func appendBinaryTuple(_ tuple: UnsafeRawBufferPointer) throws {
        precondition(format == .binary, "appendBinaryTuple needs a COPY in binary format")
        appendRaw(tuple)
        rowsWritten += 1
        if used >= Self.flushThreshold { try flush() }
    }

    private mutating func appendRaw(_ bytes: UnsafeRawBufferPointer) {
        reserve(bytes.count)
        if let base = bytes.baseAddress, bytes.count > 0 {
            (buffer + used).update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
            used += bytes.count
        }
    }

    /// Appends a field, escaping the COPY text specials (backslash, tab, newline, carriage return).
    public mutating func appendField(_ bytes: UnsafeRawBufferPointer) {
        reserve(1 + bytes.count * 2)
        var out = buffer + used
        if atRowStart {
            atRowStart = false
        } else {
            out.pointee = 0x09
            out += 1
        }
        for byte in bytes {
            // Everything above CR except backslash is copied as-is; test that first.
            if byte > 0x0d && byte != 0x5c {
                out.pointee = byte
                out += 1
                continue
            }
            switch byte {
            case 0x5c:
                out[0] = 0x5c
                out[1] = 0x5c
                out += 2
            case 0x09:
                out[0] = 0x5c
                out[1] = UInt8(ascii: "t")
                out += 2
            case 0x0a:
                out[0] = 0x5c
                out[1] = UInt8(ascii: "n")
                out += 2
            case 0x0d:
                out[0] = 0x5c
                out[1] = UInt8(ascii: "r")
                out += 2
            default:
                out.pointee = byte
                out += 1
            }
        }
        used = out - buffer
    }

    /// Appends a UTF-8 string field, escaped.
    public mutating func appendField(_ string: String) {
        var string = string
        string.withUTF8 { appendField(UnsafeRawBufferPointer($0)) }
    }

    /// Appends an integer field in decimal.
    public mutating func appendField(_ value: Int) {
        reserve(22)
        beginField()
        if value == 0 {
            buffer[used] = UInt8(ascii: "0")
            used += 1
            return
        }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch for ≤ 20 digits
        let length = withUnsafeMutableBytes(of: &digits) { scratch -> Int in
            var index = scratch.count
            while magnitude > 0 {
                index -= 1
                scratch[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            if value < 0 {
                index -= 1
                scratch[index] = UInt8(ascii: "-")
            }
            let length = scratch.count - index
            (buffer + used).update(
                from: scratch.baseAddress!.assumingMemoryBound(to: UInt8.self) + index, count: length)
            return length
        }
        used += length
    }

    /// Appends bytes the caller guarantees need no escaping (hex, digits, ISO timestamps).
    public mutating func appendRawEscaped(_ bytes: UnsafeRawBufferPointer) {
        reserve(1 + bytes.count)
        beginField()
        if let base = bytes.baseAddress, bytes.count > 0 {
            (buffer + used).update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
            used += bytes.count
        }
    }

    /// Appends a `bytea` field in hex form (`\\x0a1b…` on the wire, i.e. `\x0a1b…` after COPY unescaping).
    public mutating func appendByteaHex(_ bytes: UnsafeRawBufferPointer) {
        reserve(4 + bytes.count * 2)
        beginField()
        var out = buffer + used
        out[0] = 0x5c
        out[1] = 0x5c
        out[2] = UInt8(ascii: "x")
        out += 3
        for byte in bytes {
            out[0] = Self.hexDigits[Int(byte >> 4)]
            out[1] = Self.hexDigits[Int(byte & 0x0f)]
            out += 2
        }
        used = out - buffer
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends SQL NULL (`\N`).
    public mutating func appendNull() {
        reserve(3)
        beginField()
        buffer[used] = 0x5c
        buffer[used + 1] = UInt8(ascii: "N")
        used += 2
    }

    /// Ends the current row; sends the buffer to the server when it is full.
    public mutating func endRow() throws {
        precondition(format == .text, "endRow ends text rows; binary tuples end themselves")
        reserve(1)
        buffer[used] = 0x0a
        used += 1
        atRowStart = true
        rowsWritten += 1
        if used >= Self.flushThreshold { try flush() }
    }

    /// Sends everything buffered so far (hands it to the sending thread, if there is one).
    mutating func flush() throws {
        if let transportError { throw transportError }
        guard used > 0 else { return }
        if let sender {
            do {
                let next = try sender.submit(.init(start: buffer, capacity: capacity, used: used))
                buffer = next.start
                capacity = next.capacity
                used = 0
            } catch let error as PostgresError {
                transportError = error
                throw error
            }
            return
        }
        let status = PQputCopyData(handle, UnsafeRawPointer(buffer).assumingMemoryBound(to: CChar.self), Int32(used))
        used = 0
        guard status == 1 else {
            let message = PostgresConnection.errorMessage(of: handle)
            let error: PostgresError =
                PQstatus(handle) == CONNECTION_BAD
                ? .connectionLost(sqlState: nil, message: message, statement: statement)
                : .copyFailed(statement: statement, message: message)
            transportError = error
            throw error
        }
    }

    /// Sends what is left, with the binary trailer, and waits until the sending thread sent it all.
    mutating func finish() throws {
        if format == .binary {
            let trailer: [UInt8] = [0xFF, 0xFF]
            trailer.withUnsafeBytes { appendRaw($0) }
        }
        try flush()
        do {
            try sender?.finish()
        } catch let error as PostgresError {
            transportError = error
            throw error
        }
    }

    /// Stops the sending thread after the buffer it is sending (the COPY is being aborted).
    mutating func stopSending() {
        guard let sender else { return }
        let (spares, failure) = sender.cancel()
        for spare in spares { spare.start.deallocate() }
        self.sender = nil
        if let failure, transportError == nil { transportError = failure }
    }

    @inline(__always)
    private mutating func beginField() {
        if atRowStart {
            atRowStart = false
        } else {
            buffer[used] = 0x09
            used += 1
        }
    }

    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if used + extra > capacity { grow(minimum: used + extra) }
    }

    private mutating func grow(minimum: Int) {
        let newCapacity = max(capacity * 2, minimum)
        let newBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBuffer.update(from: buffer, count: used)
        buffer.deallocate()
        buffer = newBuffer
        capacity = newCapacity
    }
}

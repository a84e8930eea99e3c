import Foundation

/// Reads a text file line by line with one reused buffer, so memory stays at the longest line.
///
/// Lines are returned without their `\n` (and without a `\r` before it); a UTF-8 byte order mark
/// at the start of the file is dropped. `lineNumber` is the 1-based number of the line last read.
final class FileLineReader {
    let path: String
    private(set) var lineNumber = 0
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0

    /// Opens `path` for reading; throws `FileSourceError.unreadable` when it cannot be opened.
    init(path: String) throws(FileSourceError) {
        guard let file = fopen(path, "rb") else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        self.path = path
        self.file = file
    }

    deinit {
        free(buffer)
        fclose(file)
    }

    /// The next line, valid until the next call; nil at the end of the file.
    func nextLine() throws(FileSourceError) -> UnsafeRawBufferPointer? {
        clearerr(file)
        let length = getline(&buffer, &capacity, file)
        guard length >= 0, let buffer else {
            if ferror(file) != 0 {
                throw .unreadable(path: path, reason: "read failed after line \(lineNumber)")
            }
            return nil
        }
        lineNumber += 1
        var start = 0
        var end = length
        if end > 0, buffer[end - 1] == 0x0A { end -= 1 }
        if end > 0, buffer[end - 1] == 0x0D { end -= 1 }
        if lineNumber == 1, end >= 3, UInt8(bitPattern: buffer[0]) == 0xEF, UInt8(bitPattern: buffer[1]) == 0xBB,
            UInt8(bitPattern: buffer[2]) == 0xBF
        {
            start = 3
        }
        return UnsafeRawBufferPointer(start: buffer + start, count: end - start)
    }
}

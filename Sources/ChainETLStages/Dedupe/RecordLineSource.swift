/// A stream of canonical record lines (one upstream checkpoint), read one line at a time into a
/// reusable buffer so memory stays flat however long the input is.
public protocol RecordLineSource {
    /// Where the lines come from, for error messages (e.g. a checkpoint part's path).
    var name: String { get }
    /// Replaces `line` with the next line, without its newline; returns false at the end.
    mutating func nextLine(into line: inout [UInt8]) throws -> Bool
}

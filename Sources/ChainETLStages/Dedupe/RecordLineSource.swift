/// A stream of canonical record lines (one upstream checkpoint), read one line at a time into a
/// reusable buffer so memory stays flat however long the input is.
public protocol RecordLineSource {
    /// Where the lines come from, for error messages (e.g. a checkpoint part's path).
    var name: String { get }
    /// Replaces `line` with the next line, without its newline; returns false at the end.
    mutating func nextLine(into line: inout [UInt8]) throws -> Bool
    /// Called when a line does not make sense, before that is reported: throws the source's own
    /// error when its bytes are damaged (a checkpoint part whose SHA-256 differs from its
    /// manifest), which explains a garbled line better than the line does.
    func checkIntegrity() throws
}

extension RecordLineSource {
    public func checkIntegrity() throws {}
}

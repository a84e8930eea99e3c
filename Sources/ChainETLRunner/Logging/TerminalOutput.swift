import Foundation

/// The one writer of stderr: log lines, and on a terminal a live progress line kept below them.
///
/// Every write takes the lock, so lines from worker threads never interleave.
public final class TerminalOutput: @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle
    /// Whether a progress line may be drawn (stderr is a terminal and the format is text).
    public let drawsProgress: Bool
    private var progressLine = ""

    public init(handle: FileHandle = .standardError, drawsProgress: Bool) {
        self.handle = handle
        self.drawsProgress = drawsProgress
    }

    /// Whether stderr is a terminal.
    public static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Writes one line (a newline is added), keeping the progress line below it.
    public func writeLine(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        var text = ""
        if !progressLine.isEmpty { text += "\r\u{1B}[2K" }
        text += line + "\n"
        if !progressLine.isEmpty { text += progressLine }
        handle.write(Data(text.utf8))
    }

    /// Replaces the progress line (terminal only); an empty text removes it.
    public func setProgress(_ line: String) {
        guard drawsProgress else { return }
        lock.lock()
        defer { lock.unlock() }
        progressLine = line
        handle.write(Data(("\r\u{1B}[2K" + line).utf8))
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one writer of stderr: log lines, and on a terminal a progress area kept below them.
///
/// On a terminal the progress area is a few lines at the bottom, redrawn in place: the cursor goes
/// back to the area's first line, clears to the end of the screen and writes the new lines. Every
/// line written there is cut to the terminal's width, so none wraps and a redraw always covers the
/// previous one completely; log lines go above the area and are wrapped at spaces to the width
/// (continuations indented), so the terminal never wraps them either. Off a terminal nothing but
/// the lines themselves is written. Every write takes the lock, so lines from worker threads never
/// interleave.
public final class TerminalOutput: @unchecked Sendable {
    // `@unchecked`: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private let handle: FileHandle
    /// Whether a progress area may be drawn (stderr is a terminal and the format is text).
    public let drawsProgress: Bool
    private let fixedWidth: Int?
    private var area: [String] = []
    /// How many lines of the area are on screen now.
    private var drawnLines = 0

    /// - Parameter width: the terminal's width in columns; nil asks the terminal at every draw.
    public init(handle: FileHandle = .standardError, drawsProgress: Bool, width: Int? = nil) {
        self.handle = handle
        self.drawsProgress = drawsProgress
        self.fixedWidth = width
    }

    /// Whether stderr is a terminal.
    public static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// The width lines are fitted to: the given width, else the terminal's, else `COLUMNS`, else 80.
    public var width: Int {
        if let fixedWidth { return max(20, fixedWidth) }
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return max(20, Int(size.ws_col)) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 {
            return max(20, columns)
        }
        return 80
    }

    /// Writes one line (a newline is added) above the progress area.
    public func writeLine(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        guard drawsProgress else {
            handle.write(Data((line + "\n").utf8))
            return
        }
        let columns = width
        var text = eraseArea()
        for piece in Self.wrap(line, width: columns - 1) { text += piece + "\n" }
        text += drawArea(width: columns)
        handle.write(Data(text.utf8))
    }

    /// Replaces the progress area (terminal only); no lines removes it.
    public func setProgress(lines: [String]) {
        guard drawsProgress else { return }
        lock.lock()
        defer { lock.unlock() }
        area = lines
        handle.write(Data((eraseArea() + drawArea(width: width)).utf8))
    }

    /// Removes the progress area (before the closing lines).
    public func clearProgress() {
        setProgress(lines: [])
    }

    /// Moves to the area's first line and clears from there to the end of the screen.
    private func eraseArea() -> String {
        guard drawnLines > 0 else { return "" }
        defer { drawnLines = 0 }
        return "\r" + (drawnLines > 1 ? "\u{1B}[\(drawnLines - 1)A" : "") + "\u{1B}[J"
    }

    /// The area's lines, each cut to fit, the cursor left at the end of the last one.
    private func drawArea(width: Int) -> String {
        drawnLines = area.count
        return area.map { Self.fit($0, width: width - 1) }.joined(separator: "\n")
    }

    /// `line` cut to `width` characters, ending in `…` when something was cut.
    static func fit(_ line: String, width: Int) -> String {
        guard line.count > width else { return line }
        return String(line.prefix(max(0, width - 1))) + "…"
    }

    /// `line` broken at spaces into pieces of at most `width` characters (a longer word is cut);
    /// continuation pieces are indented by four spaces.
    static func wrap(_ line: String, width: Int) -> [String] {
        guard line.count > width, width > 8 else { return [line] }
        var pieces: [String] = []
        var rest = Substring(line)
        var indent = ""
        while indent.count + rest.count > width {
            let room = width - indent.count
            let window = rest.prefix(room + 1)
            var cut = window.lastIndex(of: " ").map { rest.distance(from: rest.startIndex, to: $0) } ?? room
            if cut == 0 { cut = room }
            let piece = rest.prefix(min(cut, room))
            pieces.append(indent + piece)
            rest = rest.dropFirst(piece.count).drop { $0 == " " }
            indent = "    "
        }
        if !rest.isEmpty { pieces.append(indent + rest) }
        return pieces
    }
}

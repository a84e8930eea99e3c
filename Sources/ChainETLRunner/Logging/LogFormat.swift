/// How log lines are written to stderr.
public enum LogFormat: String, Sendable, CaseIterable {
    /// Human-readable lines, with a live progress line on a terminal.
    case text
    /// One JSON object per line.
    case json

    /// `json` unless stderr is a terminal (SPEC §2), or the explicit choice.
    public static func resolve(_ explicit: LogFormat?, stderrIsTerminal: Bool) -> LogFormat {
        explicit ?? (stderrIsTerminal ? .text : .json)
    }
}

import Foundation
import Logging

/// A swift-log handler writing to stderr: JSON lines, or human text on a terminal.
///
/// JSON lines hold `ts`, `level`, `msg` and every metadata key as given (dotted keys stay flat):
/// `{"ts":"…","level":"info","msg":"stage finished","stage.id":"normalize","rows.out":"12"}`.
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let format: LogFormat
    private let output: TerminalOutput

    public init(format: LogFormat, level: Logger.Level, output: TerminalOutput) {
        self.format = format
        self.logLevel = level
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        output.writeLine(
            Self.render(format: format, date: Date(), level: event.level, message: "\(event.message)", metadata: merged)
        )
    }

    /// One rendered line, without the newline.
    static func render(
        format: LogFormat, date: Date, level: Logger.Level, message: String, metadata: Logger.Metadata
    ) -> String {
        switch format {
        case .json:
            var object: [String: Any] = [:]
            for (key, value) in metadata { object[key] = jsonValue(value) }
            object["ts"] = Timestamp.iso8601(date)
            object["level"] = level.rawValue
            object["msg"] = message
            return JSONLine.encode(object, leadingKeys: ["ts", "level", "msg"])
        case .text:
            var line =
                "\(Timestamp.timeOfDay(date)) \(level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(message)"
            // `run.id` is the same on every line of a run and is printed in its summary: not repeated here.
            for key in metadata.keys.sorted() where key != "run.id" {
                line += " \(key)=\(textValue(metadata[key]!))"
            }
            return line
        }
    }

    private static func jsonValue(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let convertible): return convertible.description
        case .array(let items): return items.map(jsonValue)
        case .dictionary(let entries): return entries.mapValues(jsonValue)
        }
    }

    private static func textValue(_ value: Logger.Metadata.Value) -> String {
        let text = value.description
        let needsQuotes = text.isEmpty || text.contains { $0 == " " || $0 == "\"" || $0 == "=" }
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }
}

/// The schema of a checkpoint's lines, `name/version` (e.g. `transfer/1`): what a stage writes,
/// what the manifest records as `record_schema`, and what a consuming stage expects.
///
/// The schemas that one stage writes and another reads have a constant here; a stage whose
/// output nobody reads names its own (`"load-result/1"`). Encoded as its bare text.
public struct RecordSchema: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// `name/version`.
    public let text: String

    public init(_ text: String) { self.text = text }

    public init(stringLiteral text: String) { self.text = text }

    public init(from decoder: any Decoder) throws {
        text = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    public var description: String { text }

    /// An explorer row embedded verbatim in its request envelope (the explorer extract stages;
    /// docs/architecture.md "Raw explorer checkpoint line").
    public static let rawExplorerRow: RecordSchema = "raw-explorer-row/1"
    /// The canonical transfer record (`normalize/transfers`, `dedupe`; read by `load`).
    public static let transfer: RecordSchema = "transfer/1"
    /// An application-event row with its file and line (`extract/file`; read by `normalize/executions`).
    public static let fileRow: RecordSchema = "file-row/1"
}

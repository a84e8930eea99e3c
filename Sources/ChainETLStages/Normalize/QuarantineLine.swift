import ChainETLCore

/// Writes one line of `quarantine.ndjson.gz` (schema `schemas/records/quarantine.schema.json`):
/// `{"reason":"code","message":"...","line":N,"raw":<raw>}`.
public enum QuarantineLine {
    /// Appends the quarantine line for `reason` with its newline.
    ///
    /// `raw` is written verbatim when `rawIsJSON` (it parsed) and its string escapes are valid
    /// (the scanner does not check them), else as a JSON string (invalid UTF-8 replaced by U+FFFD),
    /// so the quarantine file itself always stays valid NDJSON.
    public static func write(
        reason: QuarantineReason, lineNumber: Int, raw: UnsafeRawBufferPointer, rawIsJSON: Bool,
        into writer: inout JSONLineWriter
    ) {
        writer.beginObject()
        writer.key("reason")
        writer.string(reason.code)
        writer.key("message")
        writer.string(reason.message)
        writer.key("line")
        writer.int(lineNumber)
        writer.key("raw")
        if rawIsJSON, escapesAreValid(raw) {
            writer.raw(raw)
        } else {
            writer.string(String(decoding: raw, as: UTF8.self))
        }
        writer.endObject()
        writer.newline()
    }

    /// Whether every backslash in `json` starts a valid JSON escape. Outside strings a backslash
    /// cannot occur in JSON that scanned, so all bytes can be checked alike.
    static func escapesAreValid(_ json: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < json.count {
            guard json[index] == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            guard index + 1 < json.count else { return false }
            switch json[index + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                index += 2
            case UInt8(ascii: "u"):
                guard index + 6 <= json.count, HexText.isHex(json, (index + 2)..<(index + 6)) else { return false }
                index += 6
            default:
                return false
            }
        }
        return true
    }
}

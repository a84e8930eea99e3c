import Foundation

/// Failures of `chainetl import`. Each names the bundle file or table and says what to do.
public enum ImportError: Error, CustomStringConvertible {
    /// The directory has no `manifest.json`.
    case missingManifest(directory: String)
    /// `manifest.json` is not a readable export manifest.
    case invalidManifest(path: String, reason: String)
    /// A file the manifest lists is absent: the bundle is partial.
    case missingFile(path: String)
    /// A file's size differs from the manifest: truncated or tampered.
    case sizeMismatch(path: String, expected: Int, actual: Int)
    /// A file's SHA-256 differs from the manifest: tampered or corrupt.
    case checksumMismatch(path: String, expected: String, actual: String)
    /// A file could not be read.
    case unreadable(path: String, code: Int32)
    /// A CSV file breaks RFC 4180 or disagrees with the manifest.
    case malformedCSV(path: String, line: Int, reason: String)
    /// A column type in the manifest is not a Postgres type name.
    case invalidType(summary: String, column: String, type: String)
    /// The target table exists with columns that do not match the bundle.
    case incompatibleTable(table: String, reason: String)
    /// Postgres failed while loading a summary; the whole bundle was rolled back.
    case loadFailed(summary: String, underlying: any Error)

    public var description: String {
        switch self {
        case .missingManifest(let directory):
            return "\(directory) has no manifest.json: it is not an export bundle, or a partial copy; "
                + "copy the whole <partition>/ directory"
        case .invalidManifest(let path, let reason):
            return "\(path) is not a chainetl export manifest (\(reason)); re-export or re-copy the bundle"
        case .missingFile(let path):
            return "bundle is partial: \(path) is listed in manifest.json but missing; "
                + "copy the whole bundle again; nothing was imported"
        case .sizeMismatch(let path, let expected, let actual):
            return "bundle is damaged: \(path) has \(actual) bytes but manifest.json says \(expected); "
                + "copy it again or re-export; nothing was imported"
        case .checksumMismatch(let path, let expected, let actual):
            return "bundle is damaged: \(path) has sha256 \(actual) but manifest.json says \(expected); "
                + "copy it again or re-export; nothing was imported"
        case .unreadable(let path, let code):
            return "cannot read \(path): \(String(cString: strerror(code))); check its permissions"
        case .malformedCSV(let path, let line, let reason):
            return "\(path):\(line): \(reason); re-export the bundle; nothing was imported"
        case .invalidType(let summary, let column, let type):
            return "manifest.json gives column \(column) of \(summary) the type '\(type)', which is not a Postgres "
                + "type name; re-export the bundle"
        case .incompatibleTable(let table, let reason):
            return "table \(table) already exists but \(reason); import into another --schema or drop the table"
        case .loadFailed(let summary, let underlying):
            return "loading \(summary) failed and the whole bundle was rolled back: \(underlying)"
        }
    }
}

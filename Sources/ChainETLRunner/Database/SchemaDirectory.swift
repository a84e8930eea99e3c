import Foundation

/// Finds the `schemas/` folder holding the migrations.
public enum SchemaDirectory {
    /// `CHAINETL_SCHEMAS` when set; otherwise the first `schemas/` folder in the folder of `start`
    /// or any folder above it (a pipeline file lives in the repository that ships its schemas).
    public static func locate(from start: URL, environment: [String: String]) throws -> URL {
        if let configured = environment["CHAINETL_SCHEMAS"], !configured.isEmpty {
            let url = URL(fileURLWithPath: configured, isDirectory: true)
            guard isDirectory(url) else {
                throw RunnerError.usage(
                    "CHAINETL_SCHEMAS=\(configured) is not a folder; point it at the schemas/ folder")
            }
            return url
        }
        var folder = start.standardizedFileURL
        if !isDirectory(folder) { folder = folder.deletingLastPathComponent() }
        while true {
            let candidate = folder.appendingPathComponent("schemas", isDirectory: true)
            if isDirectory(candidate) { return candidate }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { break }
            folder = parent
        }
        throw RunnerError.schemasNotFound(searchedFrom: start.deletingLastPathComponent().path)
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &flag) && flag.boolValue
    }
}

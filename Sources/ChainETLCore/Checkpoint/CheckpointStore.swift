import Foundation

/// Lookups over the checkpoint tree that do not read data: manifests and stale temporary directories.
public enum CheckpointStore {
    /// The manifest of the finished checkpoint at `location`, or nil when there is none.
    ///
    /// Throws `CheckpointError` when a checkpoint directory exists but its manifest is missing,
    /// unreadable, of an unknown version, about another unit, or fails its own content hash.
    public static func existingManifest(at location: CheckpointLocation) throws -> CheckpointManifest? {
        guard CheckpointFileSystem.exists(location.directory) else { return nil }
        return try loadManifest(in: location.directory, location: location)
    }

    /// The manifest of the checkpoint that the last commit replaced (`<stage>.prev/`), if any.
    public static func previousManifest(at location: CheckpointLocation) throws -> CheckpointManifest? {
        guard CheckpointFileSystem.exists(location.previousDirectory) else { return nil }
        return try loadManifest(in: location.previousDirectory, location: location)
    }

    /// Removes every `<stage>.tmp-*` directory of `location`: leftovers of killed or failed writers.
    ///
    /// Only safe while holding the partition lock, which every writer does. Returns the names removed.
    @discardableResult
    static func removeStaleTemporaryDirectories(of location: CheckpointLocation) throws -> [String] {
        let parent = location.partitionDirectory
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: parent.path)
        } catch {
            throw CheckpointError.fileSystem(operation: "list", path: parent.path, errno: EIO, location: location)
        }
        var removed: [String] = []
        for name in names.sorted() where name.hasPrefix(location.temporaryPrefix) {
            try CheckpointFileSystem.removeTree(parent.appendingPathComponent(name), location: location)
            removed.append(name)
        }
        return removed
    }

    /// Reads, decodes and checks `_manifest.json` in `directory`.
    static func loadManifest(in directory: URL, location: CheckpointLocation) throws -> CheckpointManifest {
        let url = directory.appendingPathComponent(CheckpointManifest.fileName)
        guard CheckpointFileSystem.exists(url) else {
            throw CheckpointError.corruptManifest(location, reason: "is missing")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CheckpointError.corruptManifest(location, reason: "cannot be read (\(error.localizedDescription))")
        }
        let decoder = JSONDecoder()
        let version: Int
        do {
            version = try decoder.decode(VersionProbe.self, from: data).manifestVersion
        } catch {
            throw CheckpointError.corruptManifest(location, reason: "is not a manifest (\(Self.summary(of: error)))")
        }
        guard version == CheckpointManifest.currentVersion else {
            throw CheckpointError.unsupportedManifestVersion(location, version: version)
        }
        let manifest: CheckpointManifest
        do {
            manifest = try decoder.decode(CheckpointManifest.self, from: data)
        } catch {
            throw CheckpointError.corruptManifest(location, reason: "does not decode (\(Self.summary(of: error)))")
        }
        guard manifest.stageID == location.stageID, manifest.partition == location.partition,
            manifest.pipeline == location.pipeline
        else {
            throw CheckpointError.corruptManifest(
                location,
                reason: "describes stage '\(manifest.stageID)' for \(manifest.partition) of pipeline "
                    + "'\(manifest.pipeline)'")
        }
        guard manifest.contentHash == manifest.computeContentHash() else {
            throw CheckpointError.corruptManifest(location, reason: "content_hash does not match its content")
        }
        for file in manifest.parts + manifest.sideFiles where !Self.isPlainFileName(file.name) {
            throw CheckpointError.corruptManifest(location, reason: "lists an invalid file name '\(file.name)'")
        }
        return manifest
    }

    /// A name of a file directly inside the checkpoint directory.
    private static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && !name.contains("/") && !name.contains("\0")
    }

    /// A one-line account of a decoding failure: the key path and what went wrong.
    private static func summary(of error: Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "at the top level" : "at " + keys.joined(separator: ".")
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "key '\(key.stringValue)' is missing \(path(context))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong or null value \(path(context))"
        case DecodingError.dataCorrupted(let context):
            return "invalid data \(path(context)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    private struct VersionProbe: Decodable {
        let manifestVersion: Int
        enum CodingKeys: String, CodingKey { case manifestVersion = "manifest_version" }
    }
}

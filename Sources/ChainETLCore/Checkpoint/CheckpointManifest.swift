import Crypto
import Foundation

/// The `_manifest.json` of a finished checkpoint: what was computed, from what, and how to check it.
///
/// Written last, so its presence inside `<stage>/` means every part is complete. JSON keys are
/// snake_case, sorted and pretty-printed, with a trailing newline.
public struct CheckpointManifest: Codable, Sendable, Equatable {
    /// The manifest format version this chainetl writes and reads.
    public static let currentVersion = 1
    /// The manifest's file name inside the checkpoint directory.
    public static let fileName = "_manifest.json"

    public var manifestVersion: Int
    public var pipeline: String
    public var partition: PartitionDay
    public var stageID: String
    /// The stage kind (`uses:` in the pipeline file).
    public var kind: String
    /// Hash of the stage's effective configuration.
    public var configHash: String
    /// A short hash per piece of that configuration (`PipelineSpec.configParts(forStage:)`), so a
    /// rerun can name the keys that changed; nil in manifests written before it was kept. Derived
    /// from the same configuration as `configHash`, so it is not part of `contentHash`.
    public var configParts: [String: String]?
    /// Upstream stage id -> that upstream checkpoint's `contentHash`.
    public var inputs: [String: String]
    /// Record schema of the parts' lines, `name/version` (e.g. `transfer/1`).
    public var recordSchema: RecordSchema
    public var counts: RowCounts
    /// Data files in read order.
    public var parts: [CheckpointFile]
    /// Other files of the stage (e.g. `quarantine.ndjson.gz`), sorted by name.
    public var sideFiles: [CheckpointFile]
    /// Stage facts worth keeping with the data (e.g. the block range).
    public var details: [String: String]
    /// ISO 8601 UTC, millisecond precision.
    public var startedAt: String
    /// ISO 8601 UTC, millisecond precision.
    public var finishedAt: String
    public var durationMs: Int
    public var chainetlVersion: String
    /// SHA-256 over everything except timings and identity; see `computeContentHash()`.
    public var contentHash: String

    public init(
        pipeline: String, partition: PartitionDay, stageID: String, kind: String, configHash: String,
        inputs: [String: String], recordSchema: RecordSchema, counts: RowCounts, parts: [CheckpointFile],
        sideFiles: [CheckpointFile], details: [String: String], startedAt: String, finishedAt: String,
        durationMs: Int
    ) {
        self.manifestVersion = Self.currentVersion
        self.pipeline = pipeline
        self.partition = partition
        self.stageID = stageID
        self.kind = kind
        self.configHash = configHash
        self.inputs = inputs
        self.recordSchema = recordSchema
        self.counts = counts
        self.parts = parts
        self.sideFiles = sideFiles
        self.details = details
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMs = durationMs
        self.chainetlVersion = ChainETLVersion.string
        self.contentHash = ""
        self.contentHash = computeContentHash()
    }

    /// The total number of rows in all parts.
    public var totalRows: Int { parts.reduce(0) { $0 + $1.rows } }

    /// Lowercase hex SHA-256 of the canonical rendering of the content fields.
    ///
    /// Covers `configHash`, `inputs`, `recordSchema`, `counts`, `parts`, `sideFiles` and `details`,
    /// never timings or the tool version, so an identical rerun yields an identical hash and the
    /// stages downstream of it stay skipped. The rendering is built with `JSONLineWriter` (sorted
    /// keys, no whitespace) rather than `JSONEncoder`, whose escaping may change between releases.
    public func computeContentHash() -> String {
        var writer = JSONLineWriter(capacity: 512)
        writer.beginObject()
        writer.key("config_hash")
        writer.string(configHash)
        writer.key("counts")
        writer.beginObject()
        writer.key("duplicates")
        writer.int(counts.duplicates)
        writer.key("excluded")
        writer.int(counts.excluded)
        writer.key("in")
        writer.int(counts.rowsIn)
        writer.key("out")
        writer.int(counts.rowsOut)
        writer.key("quarantined")
        writer.int(counts.quarantined)
        writer.endObject()
        writer.key("details")
        Self.render(details, into: &writer)
        writer.key("inputs")
        Self.render(inputs, into: &writer)
        writer.key("parts")
        Self.render(parts, into: &writer)
        writer.key("record_schema")
        writer.string(recordSchema.text)
        writer.key("side_files")
        Self.render(sideFiles, into: &writer)
        writer.endObject()
        return LowercaseHex.text(SHA256.hash(data: writer.bytes))
    }

    /// The manifest file's bytes: sorted keys, pretty-printed, newline-terminated.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    private static func render(_ dictionary: [String: String], into writer: inout JSONLineWriter) {
        writer.beginObject()
        for key in dictionary.keys.sorted() {
            writer.key(key)
            writer.string(dictionary[key] ?? "")
        }
        writer.endObject()
    }

    private static func render(_ files: [CheckpointFile], into writer: inout JSONLineWriter) {
        writer.beginArray()
        for file in files {
            writer.beginObject()
            writer.key("bytes")
            writer.int(file.bytes)
            writer.key("name")
            writer.string(file.name)
            writer.key("rows")
            writer.int(file.rows)
            writer.key("sha256")
            writer.string(file.sha256)
            writer.endObject()
        }
        writer.endArray()
    }

    enum CodingKeys: String, CodingKey {
        case manifestVersion = "manifest_version"
        case pipeline, partition
        case stageID = "stage_id"
        case kind
        case configHash = "config_hash"
        case configParts = "config_parts"
        case inputs
        case recordSchema = "record_schema"
        case counts, parts
        case sideFiles = "side_files"
        case details
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case durationMs = "duration_ms"
        case chainetlVersion = "chainetl_version"
        case contentHash = "content_hash"
    }
}

import Foundation

/// `manifest.json` of an export bundle: what each file holds, where the data came from, how
/// fresh it is, and the checksums `chainetl import` verifies.
///
/// JSON keys are snake_case, sorted and pretty-printed with a trailing newline, so two exports
/// of the same partition with the same data differ only in `run_id`, `generated_at` and `inputs`
/// (docs/exports.md "manifest.json").
public struct ExportManifest: Codable, Sendable, Equatable {
    /// The bundle format this chainetl writes and reads.
    public static let currentFormat = "chainetl-export/1"
    /// The manifest's file name inside the bundle directory.
    public static let fileName = "manifest.json"

    /// `chainetl-export/1`.
    public var format: String
    public var runID: String
    public var pipeline: String
    /// The UTC day, `YYYY-MM-DD`.
    public var partition: String
    /// The export stage's id in the pipeline.
    public var stageID: String
    /// ISO 8601 UTC, second precision.
    public var generatedAt: String
    public var chainetlVersion: String
    public var freshness: Freshness
    /// Per configured chain, ordered by name.
    public var chains: [Chain]
    /// Upstream stage id → that checkpoint's content hash (every stage upstream, not only `needs:`).
    public var inputs: [String: String]
    /// In the order the pipeline lists them.
    public var summaries: [Summary]
    /// The typed loaders shipped with the data; nil in bundles written before they were.
    public var loaders: [Loader]? = nil

    /// Whether the partition was a closed day or an open day's live delta when exported.
    public struct Freshness: Codable, Sendable, Equatable {
        /// `closed_day` or `live_delta`.
        public var kind: String
        /// One sentence for humans.
        public var statement: String
    }

    /// Where one chain's data came from and how far it reaches.
    public struct Chain: Codable, Sendable, Equatable {
        /// The chain's name under `chains:` in the pipeline.
        public var name: String
        public var chainID: Int
        /// `etherscan` or `blockscout`.
        public var explorer: String
        /// The explorer's base URL without credentials or query.
        public var source: String
        /// The last loaded block of the partition; nil when the partition holds no transfer of the chain.
        public var asOfBlock: Int?
        /// That block's time, ISO 8601 UTC; nil with `asOfBlock`.
        public var asOfTime: String?
        /// Transfers of the chain loaded for the partition.
        public var transfers: Int

        enum CodingKeys: String, CodingKey {
            case name
            case chainID = "chain_id"
            case explorer, source
            case asOfBlock = "as_of_block"
            case asOfTime = "as_of_time"
            case transfers
        }
    }

    /// One summary: its columns, key and files.
    public struct Summary: Codable, Sendable, Equatable {
        public var name: String
        public var description: String
        /// Columns identifying a row; `chainetl import` upserts by them.
        public var key: [String]
        public var columns: [Column]
        public var rows: Int
        /// The CSV first, then the NDJSON.
        public var files: [File]
        /// SHA-256 of the export query file.
        public var querySHA256: String
        /// The column types for pandas (`load_pandas.py`); nil in bundles written before it was kept.
        public var pandas: Pandas? = nil

        enum CodingKeys: String, CodingKey {
            case name, description, key, columns, rows, files
            case querySHA256 = "query_sha256"
            case pandas
        }
    }

    /// A summary's column types in the form pandas takes them:
    /// `pd.read_csv(path, dtype=…, parse_dates=…, date_format="ISO8601", keep_default_na=False, na_values=[""])`,
    /// then the `exact` columns (read as text) converted with Python `int` or `decimal.Decimal`.
    public struct Pandas: Codable, Sendable, Equatable {
        /// Column → pandas dtype name (`Int64`, `boolean`, `str`); date and timestamp columns are absent.
        public var dtype: [String: String]
        /// The date and timestamp columns.
        public var parseDates: [String]
        /// Column → `int` (raw amounts) or `decimal` (other numeric): exact Python values.
        public var exact: [String: String]

        enum CodingKeys: String, CodingKey {
            case dtype
            case parseDates = "parse_dates"
            case exact
        }
    }

    /// One loader file of the bundle (`load.duckdb.sql`, `load.psql.sql`, `load_pandas.py`).
    public struct Loader: Codable, Sendable, Equatable {
        public var name: String
        public var bytes: Int
        /// Lowercase hex SHA-256 of the file's bytes.
        public var sha256: String
    }

    /// One column: its name, Postgres type and meaning.
    public struct Column: Codable, Sendable, Equatable {
        public var name: String
        /// The Postgres type name, as `format_type` prints it (`numeric`, `timestamp with time zone`).
        public var type: String
        public var description: String
        /// True on text columns whose CSV values carry `CSVFormulaGuard`'s spreadsheet escape
        /// (readers remove it); absent on other columns and in bundles written before it.
        public var formulaEscaped: Bool? = nil

        enum CodingKeys: String, CodingKey {
            case name, type, description
            case formulaEscaped = "formula_escaped"
        }
    }

    /// One data file of the bundle.
    public struct File: Codable, Sendable, Equatable {
        /// The file name inside the bundle directory.
        public var name: String
        /// `csv` or `ndjson.gz`.
        public var format: String
        public var rows: Int
        public var bytes: Int
        /// Lowercase hex SHA-256 of the file's bytes.
        public var sha256: String
    }

    enum CodingKeys: String, CodingKey {
        case format
        case runID = "run_id"
        case pipeline, partition
        case stageID = "stage_id"
        case generatedAt = "generated_at"
        case chainetlVersion = "chainetl_version"
        case freshness, chains, inputs, summaries, loaders
    }

    /// The manifest's bytes: sorted keys, pretty-printed, newline-terminated.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Decodes a manifest file's bytes.
    public static func decode(_ data: Data) throws -> ExportManifest {
        try JSONDecoder().decode(ExportManifest.self, from: data)
    }

    /// Every data file of every summary, in manifest order.
    public var files: [File] { summaries.flatMap(\.files) }
}

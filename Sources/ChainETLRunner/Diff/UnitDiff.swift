import ChainETLStages

/// What a unit's rerun changed, in the run report (`units[].diff`).
///
/// Rows: when the unit replaced an existing checkpoint, its rows compared with the previous one
/// (`<stage>.prev/`), keyed per record schema (`key`). The full id lists are in `file`.
/// Aggregates: for stages that take database snapshots (`DiffSnapshotting`), every figure that
/// differs between just before the run and just after it.
public struct UnitDiff: Sendable, Codable, Equatable {
    /// The first ids of each kind, at most `examples_limit` each, in diff order.
    public struct Examples: Sendable, Codable, Equatable {
        public var added: [String]
        public var removed: [String]
        public var changed: [String]
    }

    /// One column of a changed row: its exact JSON text before and after (nil: absent on that side).
    public struct ColumnChange: Sendable, Codable, Equatable {
        /// A top-level field, or `field.member` one level into an object (`row.tokenSymbol`).
        public var column: String
        public var before: String?
        public var after: String?

        public init(column: String, before: String?, after: String?) {
            self.column = column
            self.before = before
            self.after = after
        }
    }

    /// A sampled changed row: its id and the columns that differ.
    public struct ChangedRow: Sendable, Codable, Equatable {
        public var id: String
        public var columns: [ColumnChange]

        public init(id: String, columns: [ColumnChange]) {
            self.id = id
            self.columns = columns
        }
    }

    /// `content_hash` of the replaced checkpoint; nil when the unit replaced none.
    public var previousCheckpointHash: String?
    /// How rows are identified, e.g. `transfer_id`.
    public var key: String?
    public var rowsBefore: Int?
    public var rowsAfter: Int?
    public var added: Int
    public var removed: Int
    public var changed: Int
    public var unchanged: Int
    public var examples: Examples
    public var examplesLimit: Int
    /// Column-level before/after of the first changed rows (at most `ChangedRowSampler.limit`);
    /// nil when no row changed.
    public var changedRows: [ChangedRow]?
    /// Every id as `{"change":"added|removed|changed","id":"…"}` lines (gzip NDJSON), relative
    /// to the workdir; nil when nothing changed.
    public var file: String?
    /// Figures changed in the database, for `DiffSnapshotting` stages.
    public var aggregates: [DiffSnapshotChange]?
    /// Why the diff (or the snapshot) could not be taken; the stage itself still succeeded.
    public var error: String?

    init(examplesLimit: Int) {
        added = 0
        removed = 0
        changed = 0
        unchanged = 0
        examples = Examples(added: [], removed: [], changed: [])
        self.examplesLimit = examplesLimit
    }

    /// The distinct columns changed in the sampled rows, in order of appearance.
    public var changedColumns: [String] {
        var seen = Set<String>()
        return (changedRows ?? []).flatMap { $0.columns.map(\.column) }.filter { seen.insert($0).inserted }
    }

    /// Whether any row or figure changed.
    public var hasChanges: Bool {
        added + removed + changed > 0 || !(aggregates ?? []).isEmpty
    }

    enum CodingKeys: String, CodingKey {
        case key, added, removed, changed, unchanged, examples, file, aggregates, error
        case previousCheckpointHash = "previous_checkpoint_hash"
        case rowsBefore = "rows_before"
        case rowsAfter = "rows_after"
        case examplesLimit = "examples_limit"
        case changedRows = "changed_rows"
    }
}

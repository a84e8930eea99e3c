import ChainETLCore
import ChainETLPostgres

/// The values bound to an export query: `$1` partition start (timestamptz), `$2` partition end,
/// exclusive (timestamptz), `$3` partition date (date), `$4` pipeline name (text), the same as a
/// `sql` stage's.
struct ExportBindings {
    /// The parameter types, in the text `PREPARE` takes.
    static let typeNames = ["timestamptz", "timestamptz", "date", "text"]
    /// The same types for binding, so a query may leave any of them unused.
    static let types: [PostgresType] = [.timestamptz, .timestamptz, .date, .text]

    var values: [(any PostgresBindable)?]

    init(partition: PartitionDay, pipeline: String) {
        values = [partition.start, partition.end, partition.description, pipeline]
    }
}

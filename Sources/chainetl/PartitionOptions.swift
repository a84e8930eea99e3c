import ArgumentParser
import ChainETLRunner

/// `--partition` or `--from`/`--to`, shared by `run` and `plan`.
struct PartitionOptions: ParsableArguments {
    @Option(help: "The UTC day (YYYY-MM-DD). Default: yesterday, plus closed days marked for refetch.")
    var partition: String?

    @Option(help: "First day of a backfill (with --to); each day is an independent partition.")
    var from: String?

    @Option(help: "Last day of a backfill, inclusive (with --from).")
    var to: String?

    /// The partitions asked for; a usage error (exit 2) when the flags do not name any. Commands
    /// call it from their own `validate()`, after their other checks.
    func request() throws -> PartitionRequest {
        do {
            return try PartitionRequest.parse(partition: partition, from: from, to: to)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

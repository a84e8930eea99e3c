import ArgumentParser
import ChainETLRunner
import Foundation

extension ChainETL {
    /// `chainetl plan PIPELINE …`: what a run would do, and the explorer calls and quota it would use.
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what a run would do, its estimated explorer calls and its share of each key's daily quota.",
            discussion: """
                Per (partition, stage): run or skip, and why (from the checkpoints on disk). Per extract \
                stage and chain: estimated calls, from the stage's newest closed checkpoint, or from \
                --probe, else a minimum. Per API key (by fingerprint, never the key): the calls as a share \
                of per_day, with the calls already counted today when the database is reachable. Makes no \
                explorer call unless --probe is given; --probe sends about 3 + 3 calls per chain.
                """)

        @Argument(help: "The pipeline file, e.g. pipelines/nightly.yaml.")
        var pipeline: String

        @Option(help: "The UTC day to plan (YYYY-MM-DD). Default: yesterday.")
        var partition: String?

        @Option(help: "First day of a backfill (with --to).")
        var from: String?

        @Option(help: "Last day of a backfill, inclusive (with --from).")
        var to: String?

        @Option(name: .customLong("select"), help: "Stages to plan: id, id+ (and downstream), +id (and upstream).")
        var selections: [String] = []

        @Flag(help: "Plan every selected unit as running, as run --force would.")
        var force = false

        @Flag(help: "Sample each chain's explorer (a few calls) to estimate blocks and rows per day.")
        var probe = false

        @Option(help: "PostgreSQL URL for today's counted calls (default: DATABASE_URL, then PG* variables).")
        var databaseURL: String?

        @Option(help: "Where checkpoints are (default: CHAINETL_WORKDIR or ./work).")
        var workdir: String?

        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            do {
                _ = try PartitionRequest.parse(partition: partition, from: from, to: to)
            } catch {
                throw ValidationError("\(error)")
            }
        }

        func run() throws {
            let partitions = try PartitionRequest.parse(partition: partition, from: from, to: to)
            let (logger, console) = logging.bootstrap(label: "chainetl.plan")
            let environment = ProcessInfo.processInfo.environment
            let request = PlanRequest(
                pipelineFile: URL(fileURLWithPath: pipeline), partitions: partitions, selections: selections,
                force: force, databaseURL: databaseURL,
                workdir: URL(fileURLWithPath: workdir ?? environment["CHAINETL_WORKDIR"] ?? "work", isDirectory: true)
                    .standardizedFileURL,
                probe: probe)
            let result = PipelinePlanner(request: request, environment: environment, logger: logger, console: console)
                .run()
            if result.exitCode != 0 { throw ExitCode(result.exitCode) }
        }
    }
}

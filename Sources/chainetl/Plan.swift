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

        @OptionGroup var partitions: PartitionOptions

        @Option(name: .customLong("select"), help: "Stages to plan: id, id+ (and downstream), +id (and upstream).")
        var selections: [String] = []

        @Flag(help: "Plan every selected unit as running, as run --force would.")
        var force = false

        @Flag(help: "Sample each chain's explorer (a few calls) to estimate blocks and rows per day.")
        var probe = false

        @OptionGroup var database: DatabaseOptions

        @OptionGroup var workdir: WorkdirOptions

        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            _ = try partitions.request()
        }

        func run() throws {
            let (logger, console) = logging.bootstrap(label: "chainetl.plan")
            let environment = ProcessInfo.processInfo.environment
            let request = PlanRequest(
                pipelineFile: URL(fileURLWithPath: pipeline), partitions: try partitions.request(),
                selections: selections, force: force, databaseURL: database.url, workdir: workdir.url, probe: probe)
            let result = PipelinePlanner(
                request: request, registry: ChainETL.stageRegistry, environment: environment, logger: logger,
                console: console
            ).run()
            if result.exitCode != 0 { throw ExitCode(result.exitCode) }
        }
    }
}

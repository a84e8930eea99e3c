import ArgumentParser
import ChainETLRunner
import Foundation

extension ChainETL {
    /// `chainetl run PIPELINE …`: runs the pipeline's stages for one or more UTC-day partitions.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a pipeline for one UTC day (default: yesterday) or a range of days.",
            discussion: """
                Exit codes: 0 ok, 1 a stage failed, 2 usage or config error, 3 another run holds a \
                partition's lock, 130/143 stopped by SIGINT/SIGTERM (a second signal exits at once). \
                The last line printed is a one-line summary of the run.
                """)

        @Argument(help: "The pipeline file, e.g. pipelines/nightly.yaml.")
        var pipeline: String

        @OptionGroup var partitions: PartitionOptions

        @Option(
            name: .customLong("select"), help: "Stages to run: id, id+ (and downstream), +id (and upstream), failed.")
        var selections: [String] = []

        @Flag(help: "Rerun stages even when their checkpoints are up to date.")
        var force = false

        @Flag(help: "Print what would run or be skipped, and why; touch nothing.")
        var dryRun = false

        @Option(help: "How many units (stage × partition) run at once.")
        var jobs = RunRequest.defaultJobs

        @Option(
            help:
                "How many explorer extract units run at once in their own lane, beside --jobs (0 = in the --jobs lane)."
        )
        var extractJobs = RunRequest.defaultExtractJobs

        @Flag(help: "Allow processing a day that is not closed yet.")
        var allowOpen = false

        @OptionGroup var database: DatabaseOptions

        @OptionGroup var workdir: WorkdirOptions

        @Option(help: "Write Prometheus textfile metrics here after the run (for node_exporter).")
        var metricsFile: String?

        @Flag(help: "Reconcile stages mark mismatched partitions for reload (as their 'refetch: true' does).")
        var refetch = false

        @Option(help: "How many added/removed/changed ids a rerun diff lists per stage in the report.")
        var diffExamples = 20

        @Flag(
            help:
                "Share the range with other runners through PostgreSQL: claim one partition at a time until the range is done (docs/scaling.md)."
        )
        var claim = false

        @Flag(
            help:
                "Share each API key's per-second limit with every runner on this database (implied by --claim; docs/scaling.md)."
        )
        var sharedRateBudget = false

        @Option(help: "With --claim: seconds without a heartbeat after which another runner takes a claim over.")
        var leaseSeconds = ClaimWorker.Options.defaultLeaseSeconds

        @Option(
            help: ArgumentHelp(
                "Flag a chain's day in the HTML report when its rows fall below this share of the trailing 7-day median.",
                discussion: "Between 0 and 1; 0 flags nothing. An empty day with history is always below."))
        var lowDayShare = DailyRowsComparison.defaultShare

        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard jobs >= 1 && jobs <= 64 else { throw ValidationError("--jobs must be between 1 and 64") }
            guard extractJobs >= 0 && extractJobs <= 16 else {
                throw ValidationError("--extract-jobs must be between 0 and 16")
            }
            guard diffExamples >= 0 else { throw ValidationError("--diff-examples must be 0 or more") }
            guard lowDayShare >= 0 && lowDayShare <= 1 else {
                throw ValidationError("--low-day-share must be between 0 and 1 (default 0.5)")
            }
            guard leaseSeconds >= 0.5 && leaseSeconds <= 86_400 else {
                throw ValidationError("--lease-seconds must be between 0.5 and 86400")
            }
            if claim && dryRun {
                throw ValidationError(
                    "--claim and --dry-run do not go together: a dry run claims nothing; drop --claim")
            }
            _ = try partitions.request()
        }

        func run() throws {
            let (logger, console) = logging.bootstrap(label: "chainetl.run")
            let environment = ProcessInfo.processInfo.environment
            var request = RunRequest(
                pipelineFile: URL(fileURLWithPath: pipeline), partitions: try partitions.request(),
                selections: selections, force: force, dryRun: dryRun, allowOpen: allowOpen, jobs: jobs,
                extractJobs: extractJobs, databaseURL: database.url, workdir: workdir.url,
                arguments: CommandLineArguments.redacted(CommandLine.arguments),
                metricsFile: metricsFile.map { URL(fileURLWithPath: $0) }, refetch: refetch,
                diffExampleLimit: diffExamples)
            request.trapsSignals = true
            request.lowDayShare = lowDayShare
            request.sharedRateBudget = sharedRateBudget || claim
            if claim {
                let exitCode = ClaimWorker(
                    request: request, options: .init(leaseSeconds: leaseSeconds), registry: ChainETL.stageRegistry,
                    environment: environment, logger: logger, console: console
                ).run()
                if exitCode != 0 { throw ExitCode(exitCode) }
                return
            }
            let result = PipelineRunner(
                request: request, registry: ChainETL.stageRegistry, environment: environment, logger: logger,
                console: console
            ).run()
            if result.exitCode != 0 { throw ExitCode(result.exitCode) }
        }
    }
}

import ArgumentParser
import ChainETLRunner
import ChainETLStages
import Foundation

extension ChainETL {
    /// `chainetl status [PIPELINE]`: freshness, lag, failures, quota and partitions, for people and monitors.
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show per-chain freshness and lag, last success and failure, quota, and partitions done.",
            discussion: """
                Exit codes: 0 ok; 1 the ledger database cannot be read; 2 usage or config error; \
                4 a chain's ingest lag exceeds --fail-if-lag (or is unknown).
                """)

        @Argument(
            help: "A pipeline file (its chains, explorers and quotas) or a pipeline name. Default: every pipeline.")
        var pipeline: String?

        @Flag(help: "Print machine-readable JSON instead of tables.")
        var json = false

        @Option(help: "Exit 4 when any chain's ingest lag exceeds this many seconds (or cannot be computed).")
        var failIfLag: Double?

        @Flag(help: "Do not ask the explorers for the chain head; use the last known heads.")
        var offline = false

        @OptionGroup var database: DatabaseOptions

        @OptionGroup var logging: LoggingOptions

        func run() throws {
            let (logger, _) = logging.bootstrap(label: "chainetl.status")
            let outcome = StatusCommand(
                pipeline: pipeline, json: json, lagThresholdSeconds: failIfLag, offline: offline,
                databaseURL: database.url, logger: logger
            ).run(environment: ProcessInfo.processInfo.environment, catalog: ChainETL.stageRegistry)
            if !outcome.output.isEmpty { FileHandle.standardOutput.write(Data(outcome.output.utf8)) }
            for line in outcome.errors { FileHandleOutput.standardError(line) }
            if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
        }
    }
}

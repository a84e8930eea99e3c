import ArgumentParser
import Foundation

/// `--workdir`, shared by the subcommands that read or write checkpoints and run reports.
struct WorkdirOptions: ParsableArguments {
    @Option(help: "The working directory: checkpoints and run reports (default: CHAINETL_WORKDIR, then ./work).")
    var workdir: String?

    /// `--workdir`, else `CHAINETL_WORKDIR`, else `./work`.
    var url: URL {
        URL(
            fileURLWithPath: workdir ?? ProcessInfo.processInfo.environment["CHAINETL_WORKDIR"] ?? "work",
            isDirectory: true
        ).standardizedFileURL
    }
}

import ArgumentParser
import ChainETLRunner
import Foundation

extension ChainETL {
    /// `chainetl diff [RUN]`: what a run's reruns changed, from its JSON report.
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print what a run's reruns changed: rows added, removed, changed (columns before/after).",
            discussion: """
                Reads <workdir>/runs/<run-id>.json. Without RUN-ID (or with `last`), the newest run that \
                replaced a checkpoint. Exit codes: 0 ok; 1 the report cannot be read; 2 no such run, or no rerun.
                """)

        @Argument(help: "A run id (as in the summary line), or `last` (default).")
        var runID: String?

        @OptionGroup var workdir: WorkdirOptions

        func run() throws {
            let outcome = RunDiffCommand(workdir: workdir.url, runID: runID).run()
            if !outcome.output.isEmpty { FileHandle.standardOutput.write(Data(outcome.output.utf8)) }
            for line in outcome.errors { FileHandleOutput.standardError(line) }
            if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
        }
    }
}

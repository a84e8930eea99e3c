import ArgumentParser
import ChainETLCore
import ChainETLStages
import ChainETLTestSupport
import Foundation

/// The `chainetl` command: parses arguments and dispatches to one subcommand per file.
///
/// Exit codes (SPEC §2): 0 ok; 1 a stage failed; 2 usage or config error; 3 another run holds
/// the partition's lock; 130/143 a run stopped by SIGINT/SIGTERM.
@main
struct ChainETL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chainetl",
        abstract: "Batch ETL for on-chain ERC-20 token volume.",
        version: ChainETLVersion.string,
        subcommands: [
            // One subcommand per file; add yours on its own line.
            Run.self,
            Validate.self,
            Migrate.self,
            Plan.self,
            Simulate.self,
            Status.self,
            Import.self,
            Diff.self,
        ]
    )

    /// The stage kinds the binary knows (`StageRegistry.forBinary(environment:)`, ChainETLTestSupport).
    static var stageRegistry: StageRegistry {
        .forBinary(environment: ProcessInfo.processInfo.environment)
    }

    /// Parses and runs, mapping every usage error to exit code 2 (SPEC §2) instead of
    /// ArgumentParser's 64.
    static func main() {
        do {
            var command = try parseAsRoot(
                CommandLineArguments.joiningNegativeNumbers(Array(CommandLine.arguments.dropFirst())))
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

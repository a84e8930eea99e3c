import ArgumentParser

/// The `chainetl` command: parses arguments and dispatches to one subcommand per file.
///
/// Exit codes (SPEC §2): 0 ok; 1 a stage failed; 2 usage or config error; 3 another run holds
/// the partition's lock.
@main
struct ChainETL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chainetl",
        abstract: "Batch ETL for on-chain ERC-20 token volume.",
        subcommands: [
            // One subcommand per file: Run.swift, Validate.swift, Plan.swift, Status.swift,
            // Migrate.swift, Import.swift, Simulate.swift.
            Simulate.self,
        ]
    )
}

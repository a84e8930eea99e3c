import ArgumentParser
import ChainETLRunner
import Foundation

extension ChainETL {
    /// `chainetl validate PIPELINE...`: parses and checks pipeline files; no network, no database.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check pipeline files and report every problem with file:line:column (exit 2 on any).")

        @Argument(help: "Pipeline files, e.g. pipelines/*.yaml.")
        var pipelines: [String]

        func run() throws {
            let check = PipelineCheck(
                files: pipelines.map { URL(fileURLWithPath: $0) }, registry: ChainETL.stageRegistry)
            let result = check.run(environment: ProcessInfo.processInfo.environment)
            if result.isValid {
                for line in result.lines { print(line) }
            } else {
                for line in result.lines { FileHandleOutput.standardError(line) }
            }
            if !result.isValid { throw ExitCode(2) }
        }
    }
}

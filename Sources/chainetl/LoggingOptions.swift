import ArgumentParser
import ChainETLRunner
import Foundation
import Logging

extension LogFormat: ExpressibleByArgument {}

/// `--log-format`, `--quiet` and `--verbose`, shared by the subcommands that log.
struct LoggingOptions: ParsableArguments {
    @Option(help: "text or json (default: json unless stderr is a terminal).")
    var logFormat: LogFormat?

    @Flag(
        name: .shortAndLong,
        help: "Only warnings, errors and the closing lines; no progress area (overrides CHAINETL_LOG_LEVEL).")
    var quiet = false

    @Flag(
        name: .shortAndLong,
        help: "Debug logs too: every request and decision (overrides CHAINETL_LOG_LEVEL).")
    var verbose = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be used together") }
    }

    /// Installs the stderr handler once and returns the console that prints closing lines.
    ///
    /// The level is `--quiet` (warning) or `--verbose` (debug), else `CHAINETL_LOG_LEVEL` (trace, debug,
    /// info, notice, warning, error, critical), else info.
    func bootstrap(label: String) -> (Logger, RunConsole) {
        let terminal = TerminalOutput.stderrIsTerminal
        let format = LogFormat.resolve(logFormat, stderrIsTerminal: terminal)
        let output = TerminalOutput(drawsProgress: terminal && format == .text && !quiet)
        let configured =
            ProcessInfo.processInfo.environment["CHAINETL_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
        let level: Logger.Level = quiet ? .warning : verbose ? .debug : configured ?? .info
        LoggingSystem.bootstrap { _ in StderrLogHandler(format: format, level: level, output: output) }
        return (Logger(label: label), RunConsole(output: output, format: format))
    }
}

import ArgumentParser
import ChainETLRunner
import Foundation
import Logging

extension LogFormat: ExpressibleByArgument {}

/// `--log-format`, shared by the subcommands that log.
struct LoggingOptions: ParsableArguments {
    @Option(help: "text or json (default: json unless stderr is a terminal).")
    var logFormat: LogFormat?

    /// Installs the stderr handler once and returns the console that prints closing lines.
    func bootstrap(label: String) -> (Logger, RunConsole) {
        let terminal = TerminalOutput.stderrIsTerminal
        let format = LogFormat.resolve(logFormat, stderrIsTerminal: terminal)
        let output = TerminalOutput(drawsProgress: terminal && format == .text)
        let level =
            ProcessInfo.processInfo.environment["CHAINETL_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { _ in StderrLogHandler(format: format, level: level, output: output) }
        return (Logger(label: label), RunConsole(output: output, format: format))
    }
}

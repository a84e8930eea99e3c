import ChainETLCore
import Dispatch
import Foundation
import Logging

/// SIGINT and SIGTERM handling for `chainetl run` (SPEC §2, docs/runner.md "Stopping a run").
///
/// The first signal cancels `flag`: the scheduler starts no new unit, explorer waits and requests
/// end early, and load or aggregate transactions already sent finish or roll back on their own;
/// the run then records itself `interrupted`, writes its report and summary, and exits 130 or 143.
/// A second signal exits at once with the same code, recording nothing more.
///
/// The signals are ignored at the process level (`SIG_IGN`) and delivered to a dispatch source
/// instead, so no code runs in a signal handler.
final class SignalTrap: @unchecked Sendable {
    // `@unchecked`: `first` is guarded by `lock`; `sources` is written only in `init`.
    private let lock = NSLock()
    private var first: Int32?
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "chainetl.signals")

    init(flag: CancellationFlag, logger: Logger, signals: [Int32] = [SIGINT, SIGTERM]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in received(number, flag: flag, logger: logger) }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal received, if any.
    var receivedSignal: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return first
    }

    /// 130 for SIGINT, 143 for SIGTERM (128 + the signal number).
    static func exitCode(for signal: Int32) -> Int32 { 128 + signal }

    /// `SIGINT`, `SIGTERM`, or `signal N`.
    static func name(of signal: Int32) -> String {
        switch signal {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(signal)"
        }
    }

    private func received(_ number: Int32, flag: CancellationFlag, logger: Logger) {
        lock.lock()
        if first != nil {
            lock.unlock()
            let line = "chainetl: second stop signal (\(Self.name(of: number))): exiting at once\n"
            FileHandle.standardError.write(Data(line.utf8))
            _exit(Self.exitCode(for: number))
        }
        first = number
        lock.unlock()
        logger.warning(
            "stop signal received: starting no new stage, finishing or cancelling the running ones",
            metadata: ["signal": "\(Self.name(of: number))", "hint": "send it again to exit at once"])
        flag.cancel()
    }
}

import ChainETLStages
import Foundation
import Logging

/// The run's `StageEventSink`: logs each event, keeps it for the report and hands it to the ledger.
final class RunEventCollector: StageEventSink, @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [StageEvent] = []
    private let logger: Logger
    private let ledger: RunLedger?

    init(logger: Logger, ledger: RunLedger?) {
        self.logger = logger
        self.ledger = ledger
    }

    func record(_ event: StageEvent) {
        lock.lock()
        collected.append(event)
        lock.unlock()
        var metadata: Logger.Metadata = [
            "stage.id": "\(event.stageID)", "partition": "\(event.partition)", "event.kind": "\(event.kind)",
        ]
        for (key, value) in event.details { metadata[key] = "\(value)" }
        logger.notice("\(event.message)", metadata: metadata)
        ledger?.recordEvent(event)
    }

    var events: [StageEvent] {
        lock.lock()
        defer { lock.unlock() }
        return collected
    }
}

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
        // The message says what happened in one line; the details go to the ledger and the report
        // (and to the log at debug level), so a retry is not repeated as a screenful of key=values.
        let metadata: Logger.Metadata = [
            "stage.id": "\(event.stageID)", "partition": "\(event.partition)", "event.kind": "\(event.kind)",
        ]
        logger.notice("\(event.message)", metadata: metadata)
        if !event.details.isEmpty {
            logger.debug(
                "event details",
                metadata: metadata.merging(event.details.mapValues { .string($0) }) { current, _ in current })
        }
        ledger?.recordEvent(event)
    }

    var events: [StageEvent] {
        lock.lock()
        defer { lock.unlock() }
        return collected
    }
}

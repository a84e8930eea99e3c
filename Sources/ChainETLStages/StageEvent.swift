import ChainETLCore
import Foundation

/// A notable event during a stage (throttle, retry, quarantine, …): goes to `etl_events` and the run report.
public struct StageEvent: Sendable, Hashable, Codable {
    public var at: Date
    public var stageID: String
    public var partition: PartitionDay
    /// A short dotted kind, e.g. `http.retry`, `rate.throttled`, `rows.quarantined`.
    public var kind: String
    /// A constant, lowercase phrase; the data goes in `details`.
    public var message: String
    public var details: [String: String]

    public init(
        at: Date = Date(), stageID: String, partition: PartitionDay, kind: String, message: String,
        details: [String: String] = [:]
    ) {
        self.at = at
        self.stageID = stageID
        self.partition = partition
        self.kind = kind
        self.message = message
        self.details = details
    }
}

/// Where stage events go; the runner's implementation writes the ledger and the report.
public protocol StageEventSink: Sendable {
    func record(_ event: StageEvent)
}

/// The events handle a stage sees: stamps the stage id and partition onto what it records.
public struct StageEvents: Sendable {
    public let stageID: String
    public let partition: PartitionDay
    let sink: any StageEventSink

    public init(stageID: String, partition: PartitionDay, sink: any StageEventSink) {
        self.stageID = stageID
        self.partition = partition
        self.sink = sink
    }

    /// Records one event.
    public func record(kind: String, message: String, details: [String: String] = [:]) {
        sink.record(StageEvent(stageID: stageID, partition: partition, kind: kind, message: message, details: details))
    }
}

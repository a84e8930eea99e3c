import ChainETLCore
import Foundation

/// What `chainetl status` was asked: which pipeline, the lag threshold, offline or not.
public struct StatusRequest: Sendable {
    /// Which pipeline(s) the report covers.
    public enum Scope: Sendable {
        /// Every pipeline in the ledger; chains come from the loaded transfers and known heads.
        case all
        /// A pipeline by name only (ledger data; no explorer configuration, so heads are last-known).
        case named(String)
        /// A loaded pipeline file: its chains, explorers, keys and quotas.
        case pipeline(PipelineSpec)
    }

    public var scope: Scope
    /// `--fail-if-lag SECONDS`.
    public var lagThresholdSeconds: Double?
    /// `--offline`: never call an explorer; use the last known heads.
    public var offline: Bool
    /// How many closed days (ending yesterday UTC) the partition summary covers.
    public var windowDays: Int
    public var now: Date

    public init(
        scope: Scope, lagThresholdSeconds: Double? = nil, offline: Bool = false, windowDays: Int = 30,
        now: Date = Date()
    ) {
        self.scope = scope
        self.lagThresholdSeconds = lagThresholdSeconds
        self.offline = offline
        self.windowDays = windowDays
        self.now = now
    }

    /// The window: the `windowDays` days ending yesterday (UTC).
    var window: (first: PartitionDay, last: PartitionDay) {
        let last = PartitionDay.yesterday(now: now)
        return (last.advanced(by: -(max(1, windowDays) - 1)), last)
    }
}

import ChainETLCore
import Foundation

/// What `--metrics-file` exports for node_exporter's textfile collector.
public struct PipelineMetrics: Sendable, Equatable {
    public var pipeline: String
    /// One sample per (stage, partition) unit of the run.
    public var stages: [StageSample]
    /// When the pipeline last finished a run with every unit succeeded or skipped.
    public var lastSuccess: Date?
    /// Ingest lag per chain name, in seconds.
    public var ingestLag: [ChainLag]
    /// Explorer API calls today per key fingerprint.
    public var apiQuota: [QuotaSample]
    /// The run as a whole, when the metrics describe one.
    public var run: RunSample?

    public init(
        pipeline: String, stages: [StageSample] = [], lastSuccess: Date? = nil, ingestLag: [ChainLag] = [],
        apiQuota: [QuotaSample] = [], run: RunSample? = nil
    ) {
        self.pipeline = pipeline
        self.stages = stages
        self.lastSuccess = lastSuccess
        self.ingestLag = ingestLag
        self.apiQuota = apiQuota
        self.run = run
    }

    /// The run's duration, exit code and partition count.
    public struct RunSample: Sendable, Equatable {
        public var durationSeconds: Double
        public var exitCode: Int32
        public var partitions: Int

        public init(durationSeconds: Double, exitCode: Int32, partitions: Int) {
            self.durationSeconds = durationSeconds
            self.exitCode = exitCode
            self.partitions = partitions
        }
    }

    /// One unit's rows and duration.
    public struct StageSample: Sendable, Equatable {
        public var stage: String
        public var partition: PartitionDay
        public var rows: RunReportDocument.RowAccounting?
        public var durationSeconds: Double?
        /// `succeeded`, `skipped`, `failed`, `blocked` or `locked` (counted in `chainetl_stage_units`).
        public var status: String?

        public init(
            stage: String, partition: PartitionDay, rows: RunReportDocument.RowAccounting?, durationSeconds: Double?,
            status: String? = nil
        ) {
            self.stage = stage
            self.partition = partition
            self.rows = rows
            self.durationSeconds = durationSeconds
            self.status = status
        }
    }

    /// A chain's ingest lag.
    public struct ChainLag: Sendable, Equatable {
        public var chain: String
        public var seconds: Double

        public init(chain: String, seconds: Double) {
            self.chain = chain
            self.seconds = seconds
        }
    }

    /// Calls made today with one API key, named by its fingerprint (never the key itself).
    public struct QuotaSample: Sendable, Equatable {
        /// `APIKeyFingerprint.value`, e.g. `key-1f2e3d4c5b6a7980` or `keyless`.
        public var fingerprint: String
        public var used: Int
        /// The configured `per_day`, when known.
        public var limit: Int?

        public init(fingerprint: String, used: Int, limit: Int? = nil) {
            self.fingerprint = fingerprint
            self.used = used
            self.limit = limit
        }
    }
}

import ChainETLCore
import Foundation

/// What `chainetl status` reports: per chain freshness, lag, last success and failure and quota;
/// per pipeline the partitions done, failed and missing over the last 30 days.
public struct StatusReport: Sendable, Codable, Equatable {
    /// The exit code when a chain's lag exceeds `--fail-if-lag` (0 ok, 1 error, 2 usage, 3 lock are taken).
    public static let lagExceededExitCode: Int32 = 4

    public var generatedAt: Date
    public var chains: [ChainStatus]
    public var pipelines: [PipelineStatus]
    /// API keys by fingerprint with today's calls.
    public var apiKeys: [KeyQuota]
    /// The claims of `--claim` backfills (`etl_claims`), when there are any.
    public var claims: [ClaimStatus]?
    /// Things the reader must know (a missing table, an unreachable explorer, …).
    public var notes: [String]
    /// The `--fail-if-lag` threshold in seconds, when given.
    public var lagThresholdSeconds: Double?
    /// Chains over the threshold (or whose lag is unknown), with why.
    public var lagViolations: [String]

    public init(
        generatedAt: Date, chains: [ChainStatus] = [], pipelines: [PipelineStatus] = [], apiKeys: [KeyQuota] = [],
        notes: [String] = [], lagThresholdSeconds: Double? = nil, lagViolations: [String] = []
    ) {
        self.generatedAt = generatedAt
        self.chains = chains
        self.pipelines = pipelines
        self.apiKeys = apiKeys
        self.notes = notes
        self.lagThresholdSeconds = lagThresholdSeconds
        self.lagViolations = lagViolations
    }

    /// 0, or `lagExceededExitCode` when any chain is past `--fail-if-lag` (or its lag is unknown).
    public var exitCode: Int32 { lagViolations.isEmpty ? 0 : Self.lagExceededExitCode }

    /// One chain.
    public struct ChainStatus: Sendable, Codable, Equatable {
        /// The name under `chains:` when a pipeline file was given, else nil.
        public var name: String?
        public var chainID: Int
        public var lastLoadedBlock: Int?
        public var lastLoadedTime: Date?
        public var head: ChainHead?
        /// Why the explorer was not asked or did not answer (the head is then last-known or unknown).
        public var headNote: String?
        /// `head.time − lastLoadedTime`, never negative; nil when either is unknown.
        public var lagSeconds: Double?
        /// `head.block − lastLoadedBlock`, never negative; nil when either is unknown.
        public var lagBlocks: Int?
        public var lastSuccess: StageRunSummary?
        public var lastFailure: StageRunSummary?
        /// The fingerprint of the chain's API key (see `apiKeys`).
        public var keyFingerprint: String?

        /// `ethereum (1)` or `chain 1`.
        public var label: String { name.map { "\($0) (\(chainID))" } ?? "chain \(chainID)" }

        public init(name: String?, chainID: Int) {
            self.name = name
            self.chainID = chainID
        }

        enum CodingKeys: String, CodingKey {
            case name, head
            case chainID = "chain_id"
            case lastLoadedBlock = "last_loaded_block"
            case lastLoadedTime = "last_loaded_time"
            case headNote = "head_note"
            case lagSeconds = "lag_seconds"
            case lagBlocks = "lag_blocks"
            case lastSuccess = "last_success"
            case lastFailure = "last_failure"
            case keyFingerprint = "key_fingerprint"
        }
    }

    /// A chain head and where it came from.
    public struct ChainHead: Sendable, Codable, Equatable {
        public enum Source: String, Sendable, Codable {
            /// Asked from the explorer just now.
            case explorer
            /// Read from `etl_chain_heads` (offline, or the explorer did not answer).
            case lastKnown = "last-known"
        }

        public var block: Int
        public var time: Date
        public var observedAt: Date
        public var source: Source

        public init(block: Int, time: Date, observedAt: Date, source: Source) {
            self.block = block
            self.time = time
            self.observedAt = observedAt
            self.source = source
        }

        enum CodingKeys: String, CodingKey {
            case block, time, source
            case observedAt = "observed_at"
        }
    }

    /// The latest stage run of a kind (success or failure) that concerns a chain.
    public struct StageRunSummary: Sendable, Codable, Equatable {
        public var pipeline: String
        public var stage: String
        public var partition: PartitionDay
        public var runID: String
        public var at: Date
        public var error: String?

        public init(pipeline: String, stage: String, partition: PartitionDay, runID: String, at: Date, error: String?) {
            self.pipeline = pipeline
            self.stage = stage
            self.partition = partition
            self.runID = runID
            self.at = at
            self.error = error
        }

        enum CodingKeys: String, CodingKey {
            case pipeline, stage, partition, at, error
            case runID = "run_id"
        }
    }

    /// One pipeline's partitions over the window.
    public struct PipelineStatus: Sendable, Codable, Equatable {
        public var name: String
        public var firstDay: PartitionDay
        public var lastDay: PartitionDay
        /// Stages that must all be succeeded or skipped for a partition to count as done.
        public var stages: [String]
        public var done: [PartitionDay]
        public var failed: [PartitionDay]
        public var missing: [PartitionDay]

        public init(
            name: String, firstDay: PartitionDay, lastDay: PartitionDay, stages: [String], done: [PartitionDay],
            failed: [PartitionDay], missing: [PartitionDay]
        ) {
            self.name = name
            self.firstDay = firstDay
            self.lastDay = lastDay
            self.stages = stages
            self.done = done
            self.failed = failed
            self.missing = missing
        }

        enum CodingKeys: String, CodingKey {
            case name, stages, done, failed, missing
            case firstDay = "first_day"
            case lastDay = "last_day"
        }
    }

    /// One partition of a `--claim` backfill and who holds or finished it.
    public struct ClaimStatus: Sendable, Codable, Equatable {
        public var pipeline: String
        /// '' for a plain backfill, else its `--select`/`--force` words.
        public var work: String
        public var partition: String
        /// `pending`, `claimed`, `expired` (claimed, lease ran out: its runner is gone), `done`, `failed`.
        public var state: String
        public var attempts: Int
        public var host: String?
        public var pid: Int?
        public var heartbeatAgeSeconds: Double?
        public var leaseSeconds: Double?
        public var runID: String?
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case pipeline, work, partition, state, attempts, host, pid, error
            case heartbeatAgeSeconds = "heartbeat_age_seconds"
            case leaseSeconds = "lease_seconds"
            case runID = "run_id"
        }
    }

    /// Today's calls with one API key, named by its fingerprint (never the key).
    public struct KeyQuota: Sendable, Codable, Equatable {
        public var fingerprint: String
        /// Chain names that use the key (from the pipeline file), when known.
        public var chains: [String]
        public var day: PartitionDay
        public var used: Int
        /// The smallest `per_day` configured for the key, when known.
        public var limit: Int?
        public var remaining: Int? { limit.map { max(0, $0 - used) } }

        public init(fingerprint: String, chains: [String], day: PartitionDay, used: Int, limit: Int?) {
            self.fingerprint = fingerprint
            self.chains = chains
            self.day = day
            self.used = used
            self.limit = limit
        }

        enum CodingKeys: String, CodingKey {
            case fingerprint, chains, day, used, limit, remaining
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            fingerprint = try container.decode(String.self, forKey: .fingerprint)
            chains = try container.decode([String].self, forKey: .chains)
            day = try container.decode(PartitionDay.self, forKey: .day)
            used = try container.decode(Int.self, forKey: .used)
            limit = try container.decodeIfPresent(Int.self, forKey: .limit)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(fingerprint, forKey: .fingerprint)
            try container.encode(chains, forKey: .chains)
            try container.encode(day, forKey: .day)
            try container.encode(used, forKey: .used)
            try container.encodeIfPresent(limit, forKey: .limit)
            try container.encodeIfPresent(remaining, forKey: .remaining)
        }
    }

    enum CodingKeys: String, CodingKey {
        case chains, pipelines, notes, claims
        case generatedAt = "generated_at"
        case apiKeys = "api_keys"
        case lagThresholdSeconds = "lag_threshold_seconds"
        case lagViolations = "lag_violations"
    }
}

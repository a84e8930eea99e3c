import ChainETLCore
import ChainETLExplorers
import ChainETLStages
import Foundation

/// The JSON report of one run, written to `<workdir>/runs/<run-id>.json`.
public struct RunReport: Sendable, Codable {
    public var runID: String
    public var pipeline: String
    public var pipelineFile: String
    public var chainetlVersion: String
    /// The command line, as typed (secrets are never on it: the database URL is redacted).
    public var arguments: [String]
    public var startedAt: Date
    public var finishedAt: Date?
    public var status: RunStatus
    public var exitCode: Int32
    public var partitions: [PartitionDay]
    public var units: [UnitReport]
    public var events: [StageEvent]
    /// The last line the run printed.
    public var summary: String
    /// What to type to resume, when something failed or was locked.
    public var resumeCommand: String?
    /// Per API key (by fingerprint, never the key): calls this run made, over what span, at what rate.
    public var apiKeys: [APIKeyUsage]?
    /// The explorer calls the extract units made, against their lower bound.
    public var extractCalls: ExtractCallTally?

    public init(
        runID: String, pipeline: String, pipelineFile: String, arguments: [String], startedAt: Date,
        partitions: [PartitionDay]
    ) {
        self.runID = runID
        self.pipeline = pipeline
        self.pipelineFile = pipelineFile
        self.chainetlVersion = ChainETLVersion.string
        self.arguments = arguments
        self.startedAt = startedAt
        self.status = .running
        self.exitCode = 0
        self.partitions = partitions
        self.units = []
        self.events = []
        self.summary = ""
    }

    /// How many units ended in `status`.
    public func count(_ status: UnitStatus) -> Int {
        units.lazy.filter { $0.status == status }.count
    }

    enum CodingKeys: String, CodingKey {
        case pipeline, arguments, status, partitions, units, events, summary
        case runID = "run_id"
        case pipelineFile = "pipeline_file"
        case chainetlVersion = "chainetl_version"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case exitCode = "exit_code"
        case resumeCommand = "resume_command"
        case apiKeys = "api_keys"
        case extractCalls = "extract_calls"
    }
}

import ChainETLCore
import ChainETLExplorers
import ChainETLSimulator
import ChainETLTestSupport
import Foundation
import Logging
import Testing

@testable import ChainETLStages

/// Shared pieces of the extract tests: an in-process simulator, pipeline specs pointing at it, a
/// log capture, and the ground-truth comparison.
enum ExtractFixture {
    /// 2026-11-18T…Z: every day up to 2026-11-17 is closed on every simulated chain.
    static let pinnedNow = 1_795_000_000
    /// A key that must never show up in any output.
    static let apiKey = "SIMKEY9f3c0d2e7a41b8XXSECRET"
    static let keyVariable = "CHAINETL_TEST_SIM_KEY"
    static let seed: UInt64 = 11
    static let transfersPerDay = 1_500

    static let location = SourceLocation(file: "test.yaml", line: 1, column: 1)

    /// Starts a simulator on a free loopback port.
    static func startSimulator(
        faultRate: Double = 0, faults: [FaultKind] = FaultKind.allCases, ratePerSecond: Int? = nil,
        fixedNow: Int = pinnedNow, apiKey: String? = apiKey, transfersPerDay: Int = transfersPerDay
    ) throws -> SimulatorServer {
        let server = try SimulatorServer(
            configuration: SimulatorConfiguration(
                port: 0, generator: GeneratorConfiguration(seed: seed, transfersPerDay: transfersPerDay),
                apiKey: apiKey, ratePerSecond: ratePerSecond, faultRate: faultRate, faultKinds: faults,
                fixedNow: fixedNow),
            logger: Logger(label: "chainetl.tests.simulator") { _ in SwiftLogNoOpLogHandler() })
        try server.start()
        return server
    }

    /// The first `count` ERC-20 tokens of a simulated chain, as tracked tokens.
    static func erc20Tokens(chainID: Int, count: Int) -> [TrackedToken] {
        SimulatedChain.tokens(chainID: chainID).filter(\.isERC20).prefix(count).map {
            TrackedToken(address: $0.address, symbol: $0.symbol, decimals: $0.decimalsValue)
        }
    }

    static func chain(
        name: String = "ethereum", chainID: Int = 1, explorer: ExplorerKind = .etherscan, server: SimulatorServer,
        keyVariable: String? = keyVariable, ratePerSecond: Double = 20, ratePerDay: Int? = nil,
        confirmations: Int = 12, tokens: [TrackedToken], accounts: [String] = []
    ) -> ChainSpec {
        let base =
            explorer == .etherscan ? "\(server.baseURL)/v2/api" : "\(server.baseURL)/blockscout/\(chainID)/api"
        return ChainSpec(
            name: name, chainID: chainID, explorer: explorer, baseURL: base, apiKeyEnv: keyVariable,
            ratePerSecond: ratePerSecond, ratePerDay: ratePerDay, confirmations: confirmations, tokens: tokens,
            accounts: accounts, location: location)
    }

    /// A `with:` mapping from plain values (strings, integers or string lists).
    static func parameters(_ values: [(String, Any)]) -> ConfigNode {
        func node(_ value: Any) -> ConfigNode {
            switch value {
            case let list as [String]:
                return ConfigNode(
                    value: .sequence(list.map { ConfigNode(value: .scalar($0), location: location) }),
                    location: location)
            default:
                return ConfigNode(value: .scalar("\(value)"), location: location)
            }
        }
        return ConfigNode(
            value: .mapping(values.map { (key: $0.0, keyLocation: location, value: node($0.1)) }), location: location)
    }

    static func pipeline(chains: [ChainSpec], kind: ExtractKind, with values: [(String, Any)] = []) -> (
        PipelineSpec, StageSpec
    ) {
        let stage = StageSpec(
            id: "extract", kind: kind.rawValue, needs: [], parameters: parameters(values), location: location)
        let pipeline = PipelineSpec(
            name: "extract-test", file: URL(fileURLWithPath: "/tmp/extract-test.yaml"), version: 1, chains: chains,
            stages: [stage])
        return (pipeline, stage)
    }

    /// Fast retries (the simulator's 429s still ask for a 1 s Retry-After, which is honoured).
    static let retryPolicy = RetryPolicy(baseDelay: 0.05, maximumDelay: 0.5, maximumAttempts: 12)

    static func dependencies(
        environment: [String: String] = [keyVariable: apiKey], quotaStore: any QuotaStore = InMemoryQuotaStore(),
        now: Int = pinnedNow
    ) -> ExtractionDependencies {
        ExtractionDependencies(
            rateLimiters: RateLimiterRegistry(), transport: URLSessionTransport(), quotaStore: { quotaStore },
            environment: environment, retryPolicy: retryPolicy,
            currentDate: { Date(timeIntervalSince1970: TimeInterval(now)) })
    }
}

/// Everything a `DayExtraction` produced: the lines, events and progress reports.
final class ExtractionCapture {
    var lines: [[UInt8]] = []
    var events: [ExtractionEventRecord] = []
    var statuses: [ExtractionStatus] = []

    var hooks: DayExtraction.Hooks {
        DayExtraction.Hooks(
            write: { [unowned self] writer in self.lines.append(writer.bytes) },
            event: { [unowned self] in self.events.append($0) },
            progress: { [unowned self] in self.statuses.append($0) })
    }

    /// The lines as one text, for secret scans.
    var text: String { lines.map { String(decoding: $0, as: UTF8.self) }.joined() }
}

/// A log handler that keeps every message and its metadata as text.
struct CapturingLogHandler: LogHandler {
    final class Storage: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [String] = []
        func append(_ line: String) { lock.withLock { stored.append(line) } }
        var lines: [String] { lock.withLock { stored } }
    }

    let storage: Storage
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        var line = "\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })"
        if let error = event.error { line += " error=\(error)" }
        storage.append(line)
    }

    static func logger() -> (Logger, Storage) {
        let storage = Storage()
        return (Logger(label: "chainetl.tests.extract") { _ in CapturingLogHandler(storage: storage) }, storage)
    }
}

/// One ERC-20 transfer as read back from a raw line: the fields the ground truth has.
struct ExtractedTransfer: Hashable, Comparable {
    var txHash: String
    var token: String
    var from: String
    var to: String
    var value: String

    static func < (lhs: ExtractedTransfer, rhs: ExtractedTransfer) -> Bool {
        (lhs.txHash, lhs.token, lhs.from, lhs.to, lhs.value) < (rhs.txHash, rhs.token, rhs.from, rhs.to, rhs.value)
    }

    /// Decodes a `raw-explorer-row/1` line of a getLogs or tokentx source; nil for non-ERC-20 logs.
    static func decode(line: [UInt8]) throws -> (source: String, blockNumber: Int, transfer: ExtractedTransfer?) {
        let object = try object(line)
        let source: String = try field(object, "source")
        let row: [String: Any] = try field(object, "row")
        if source.hasSuffix("logs") {
            let topics: [String] = try field(row, "topics")
            let block = try number(hex: try field(row, "blockNumber"))
            guard topics.count == 3 else { return (source, Int(block.words.0), nil) }
            func address(_ topic: String) -> String { "0x" + topic.suffix(40).lowercased() }
            let value = try number(hex: try field(row, "data"))
            let txHash: String = try field(row, "transactionHash")
            let token: String = try field(row, "address")
            return (
                source, Int(block.words.0),
                ExtractedTransfer(
                    txHash: txHash.lowercased(), token: token.lowercased(), from: address(topics[1]),
                    to: address(topics[2]), value: value.description)
            )
        }
        let blockText: String = try field(row, "blockNumber")
        let block = try #require(Int(blockText))
        let txHash: String = try field(row, "hash")
        let token: String = try field(row, "contractAddress")
        let from: String = try field(row, "from")
        let to: String = try field(row, "to")
        return (
            source, block,
            ExtractedTransfer(
                txHash: txHash.lowercased(), token: token.lowercased(), from: from.lowercased(), to: to.lowercased(),
                value: try field(row, "value"))
        )
    }

    struct MissingField: Error, CustomStringConvertible {
        var key: String
        var description: String { "missing or mistyped field \(key)" }
    }

    /// A line as a JSON object.
    static func object(_ line: [UInt8]) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            throw MissingField(key: "(line)")
        }
        return object
    }

    static func field<T>(_ object: [String: Any], _ key: String) throws -> T {
        guard let value = object[key] as? T else { throw MissingField(key: key) }
        return value
    }

    static func number(hex text: String) throws -> UInt256 {
        guard let value = UInt256(hex: text) else { throw MissingField(key: "hex \(text)") }
        return value
    }
}

/// Collects stage events and progress the way the runner would receive them.
final class StageRecorder: StageEventSink, StageProgressReporting, @unchecked Sendable {
    private let lock = NSLock()
    private var storedEvents: [StageEvent] = []
    private var storedSnapshots: [ProgressSnapshot] = []

    func record(_ event: StageEvent) { lock.withLock { storedEvents.append(event) } }

    func report(stageID: String, partition: PartitionDay, _ snapshot: ProgressSnapshot) {
        lock.withLock { storedSnapshots.append(snapshot) }
    }

    var events: [StageEvent] { lock.withLock { storedEvents } }
    var snapshots: [ProgressSnapshot] { lock.withLock { storedSnapshots } }
}

/// A `StageContext` for one extract unit, writing its checkpoint under `workdir`.
struct ExtractUnit {
    let stage: any Stage
    let context: StageContext
    let location: CheckpointLocation
    let recorder = StageRecorder()

    init(
        pipeline: PipelineSpec, spec: StageSpec, day: PartitionDay, workdir: URL, services: ExtractionServices,
        logger: Logger, allowOpen: Bool = false
    ) throws {
        let stage = try StageRegistry.withTestStages.makeStage(spec, pipeline: pipeline)
        let location = CheckpointLocation(workdir: workdir, pipeline: pipeline.name, partition: day, stageID: spec.id)
        self.stage = stage
        self.location = location
        context = StageContext(
            pipeline: pipeline, spec: spec, configHash: "test", partition: day, workdir: workdir, runID: "test-run",
            logger: logger,
            options: StageOptions(allowOpen: allowOpen), eventSink: recorder, progressReporter: recorder,
            services: services, inputs: [:], databaseURL: nil,
            makeOutput: { try CheckpointWriter(location: location, kind: spec.kind, recordSchema: stage.recordSchema) })
    }

    /// Runs the stage and commits its checkpoint, as the runner does.
    func runAndCommit() throws -> CheckpointManifest {
        let outcome = try stage.run(context)
        return try context.output.commit(
            configHash: "test", inputs: [:], counts: outcome.counts, details: outcome.details, startedAt: Date())
    }

    /// The committed checkpoint's lines.
    func lines() throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        try CheckpointReader.open(location, expecting: "raw-explorer-row/1").forEachLine { lines.append(Array($0)) }
        return lines
    }
}

extension ExtractFixture {
    static func services(
        environment: [String: String] = [keyVariable: apiKey], quotaStore: any QuotaStore = InMemoryQuotaStore()
    ) -> ExtractionServices {
        ExtractionServices(
            rateLimiters: RateLimiterRegistry(), environment: environment, retryPolicy: retryPolicy,
            transport: { URLSessionTransport() }, quotaStore: { _ in quotaStore })
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chainetl-extract-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Every file under `directory`, gzip parts decompressed, as text (for secret scans).
    static func allText(under directory: URL) throws -> String {
        var text = ""
        let enumerator = try #require(FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil))
        for case let url as URL in enumerator {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            if url.lastPathComponent.hasSuffix(".gz") {
                let reader = try GzipLineReader(path: url.path)
                while let line = try reader.nextLine() { text += String(decoding: line, as: UTF8.self) + "\n" }
            } else {
                text += String(decoding: try Data(contentsOf: url), as: UTF8.self)
            }
        }
        return text
    }
}

/// Everything `chainetl simulate` can be told; defaults are permissive (no key, no limits, no faults).
public struct SimulatorConfiguration: Sendable {
    /// 0 picks a free port.
    public var port: Int
    public var generator: GeneratorConfiguration
    /// When set, Etherscan requests must carry exactly this `apikey`.
    public var apiKey: String?
    /// When set, Etherscan chains outside this set answer "Free API access is not supported…".
    public var paidChainIDs: Set<Int>?
    /// Calls per second per API key (sliding one-second window); nil = unlimited.
    public var ratePerSecond: Int?
    /// Calls per UTC day per API key; nil = unlimited.
    public var dailyLimit: Int?
    /// Probability (0…1) that an admitted API request gets a fault instead of its normal answer.
    public var faultRate: Double
    public var faultKinds: [FaultKind]
    /// Pins the simulator's clock (unix seconds) so the head and `confirmations` stay still.
    public var fixedNow: Int?
    /// Milliseconds every API answer waits before it is sent, after the request was admitted (or
    /// refused) on arrival: the rate limit counts a request when it arrives, as a real explorer does.
    public var latencyMilliseconds: Int
    /// Answers wait `latencyMilliseconds ± latencyJitterMilliseconds`, uniformly, drawn from the seed
    /// and the request's arrival ordinal; at most `latencyMilliseconds`.
    public var latencyJitterMilliseconds: Int

    /// The longest latency `--latency-ms` accepts (a minute: longer than any client timeout).
    public static let maximumLatencyMilliseconds = 60_000

    public init(
        port: Int = 0, generator: GeneratorConfiguration = GeneratorConfiguration(), apiKey: String? = nil,
        paidChainIDs: Set<Int>? = nil, ratePerSecond: Int? = nil, dailyLimit: Int? = nil, faultRate: Double = 0,
        faultKinds: [FaultKind] = FaultKind.allCases, fixedNow: Int? = nil, latencyMilliseconds: Int = 0,
        latencyJitterMilliseconds: Int = 0
    ) {
        self.port = port
        self.generator = generator
        self.apiKey = apiKey
        self.paidChainIDs = paidChainIDs
        self.ratePerSecond = ratePerSecond
        self.dailyLimit = dailyLimit
        self.faultRate = faultRate
        self.faultKinds = faultKinds
        self.fixedNow = fixedNow
        self.latencyMilliseconds = latencyMilliseconds
        self.latencyJitterMilliseconds = latencyJitterMilliseconds
    }

    /// Rejects values outside their domain, naming the command-line option.
    public func validate() throws(SimulatorError) {
        guard (0...65_535).contains(port) else { throw .invalidOption("--port", "must be 0…65535, got \(port)") }
        guard (0...1).contains(faultRate) else {
            throw .invalidOption("--fault-rate", "must be between 0 and 1, got \(faultRate)")
        }
        guard !faultKinds.isEmpty else { throw .invalidOption("--faults", "needs at least one fault kind") }
        if let ratePerSecond, ratePerSecond < 1 {
            throw .invalidOption("--rate-limit", "must be ≥ 1 call/s, got \(ratePerSecond)")
        }
        if let dailyLimit, dailyLimit < 1 {
            throw .invalidOption("--daily-limit", "must be ≥ 1 call/day, got \(dailyLimit)")
        }
        guard (0...Self.maximumLatencyMilliseconds).contains(latencyMilliseconds) else {
            throw .invalidOption(
                "--latency-ms", "must be 0…\(Self.maximumLatencyMilliseconds) ms, got \(latencyMilliseconds)")
        }
        guard (0...latencyMilliseconds).contains(latencyJitterMilliseconds) else {
            throw .invalidOption(
                "--latency-jitter-ms",
                "must be 0…\(latencyMilliseconds) (at most --latency-ms), got \(latencyJitterMilliseconds)")
        }
        if let apiKey, apiKey.isEmpty { throw .invalidOption("--api-key", "must not be empty") }
        guard generator.transfersPerDay >= 0 else {
            throw .invalidOption("--transfers-per-day", "must be ≥ 0, got \(generator.transfersPerDay)")
        }
        guard generator.denseBlockEvery >= 0 else {
            throw .invalidOption("--dense-block-every", "must be ≥ 0 (0 = off), got \(generator.denseBlockEvery)")
        }
    }
}

import ChainETLCore
import Foundation
import Logging

/// Answers explorer API requests: routing, keys, plans, rate limits and faults, then the endpoint.
///
/// Independent of sockets so tests can drive it directly. `@unchecked Sendable`: the mutable
/// counters (stats, limiter, fault ordinal) are guarded by `lock`; everything else is immutable.
final class ExplorerService: @unchecked Sendable {
    enum Flavor: Sendable {
        case etherscan
        case blockscout
        /// Blockscout REST v2 under `/blockscout/<chainid>/api/v2/…`.
        case blockscoutV2
    }

    /// An endpoint's answer before fault handling.
    struct Answer {
        var body: [UInt8]
        var status = 200
        var rows = 0
        var extraHeaders: [(String, String)] = []
    }

    static let windowErrorText = "Result window is too large, PageNo x Offset size must be less than or equal to 10000"
    static let queryTimeoutText = "Query Timeout occured. Please select a smaller result dataset"
    static let freePlanText =
        "Free API access is not supported for this chain. Please upgrade your api plan for full chain coverage. https://etherscan.io/apis"
    static let unsupportedChainText =
        "Missing or unsupported chainid parameter (required for v2 api), please see https://api.etherscan.io/v2/chainlist for the list of supported chainids"
    static let blockscoutRateLimitText = "Too many requests. Increase limits now at https://dev.blockscout.com"
    /// Etherscan silently serves at most this many rows per page.
    static let etherscanMaximumOffset = 1_000
    /// Blockscout honours `offset` up to the window size and ignores larger values.
    static let blockscoutMaximumOffset = 10_000
    static let resultWindow = 10_000

    let configuration: SimulatorConfiguration
    private let logger: Logger
    private let monotonicNanoseconds: @Sendable () -> UInt64
    private let faults: FaultInjector
    private let latency: ResponseLatency
    private let generators: [Int: ChainGenerator]
    private let lock = NSLock()
    private var stats = SimulatorStats()
    private var limiter: RateLimiter
    private var nextFaultOrdinal: UInt64 = 0
    private var nextLatencyOrdinal: UInt64 = 0

    init(
        configuration: SimulatorConfiguration, logger: Logger,
        monotonicNanoseconds: @escaping @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.monotonicNanoseconds = monotonicNanoseconds
        faults = FaultInjector(
            seed: configuration.generator.seed, rate: configuration.faultRate, kinds: configuration.faultKinds)
        latency = ResponseLatency(
            seed: configuration.generator.seed, milliseconds: configuration.latencyMilliseconds,
            jitterMilliseconds: configuration.latencyJitterMilliseconds)
        limiter = RateLimiter(perSecond: configuration.ratePerSecond, perDay: configuration.dailyLimit)
        var generators: [Int: ChainGenerator] = [:]
        for chain in SimulatedChain.all {
            generators[chain.chainID] = ChainGenerator(chain: chain, configuration: configuration.generator)
        }
        self.generators = generators
    }

    var currentStats: SimulatorStats { lock.withLock { stats } }

    func resetStats() {
        lock.withLock { stats = SimulatorStats() }
    }

    /// The simulator's clock in unix seconds: pinned by `--now`, else the wall clock.
    var nowUnixSeconds: Int { configuration.fixedNow ?? Int(Date().timeIntervalSince1970) }

    func handle(_ request: ServerRequest) -> ServerAction {
        let path = request.path
        switch path {
        case "/_sim/stats":
            guard request.method == "GET" else { return .respond(Self.methodNotAllowed, delay: 0) }
            return .respond(.json(Array(currentStats.json.utf8)), delay: 0)
        case "/_sim/reset-stats":
            guard request.method == "POST" else { return .respond(Self.methodNotAllowed, delay: 0) }
            resetStats()
            return .respond(.json(Array(#"{"status":"ok"}"#.utf8)), delay: 0)
        case "/v2/api", "/v2/api/":
            return delayed(api(request, flavor: .etherscan, chainText: request.query["chainid"]))
        case "/api", "/api/":
            lock.withLock { stats.recordArrival(at: monotonicNanoseconds()) }
            let answer = Self.etherscanError("You are using a deprecated V1 endpoint, switch to Etherscan API V2.")
            return delayed(finish(answer, action: "v1"))
        default:
            let parts = path.split(separator: "/")
            if parts.count == 3, parts[0] == "blockscout", parts[2] == "api" {
                return delayed(api(request, flavor: .blockscout, chainText: String(parts[1])))
            }
            if parts.count > 4, parts[0] == "blockscout", parts[2] == "api", parts[3] == "v2" {
                return delayed(api(request, flavor: .blockscoutV2, chainText: String(parts[1])))
            }
            return .respond(.html(status: 404, "<html><body><h1>404 Not Found</h1></body></html>"), delay: 0)
        }
    }

    /// Adds the configured latency to an API answer. The request was already counted, admitted or
    /// refused on arrival; only the answer waits. A dropped connection is dropped at once.
    private func delayed(_ action: ServerAction) -> ServerAction {
        guard !latency.isZero, case .respond(let response, let delay) = action else { return action }
        let ordinal: UInt64 = lock.withLock {
            defer { nextLatencyOrdinal += 1 }
            return nextLatencyOrdinal
        }
        return .respond(response, delay: delay + latency.delay(forRequest: ordinal))
    }

    private static let methodNotAllowed = ServerResponse.html(
        status: 405, "<html><body>405 Method Not Allowed</body></html>")

    private func api(_ request: ServerRequest, flavor: Flavor, chainText: String?) -> ServerAction {
        let action = Self.actionName(request, flavor: flavor)
        let chainID = chainText.flatMap { Int($0) }
        lock.withLock {
            stats.recordArrival(at: monotonicNanoseconds())
            stats.byAction[action, default: 0] += 1
            if let chainID { stats.byChain[chainID, default: 0] += 1 }
        }
        guard let chainID, let generator = generators[chainID] else {
            lock.withLock { stats.rejected += 1 }
            switch flavor {
            case .etherscan: return finish(Self.etherscanError(Self.unsupportedChainText), action: action)
            case .blockscout, .blockscoutV2:
                return finish(
                    Answer(body: Array("<html><body><h1>404 Not Found</h1></body></html>".utf8), status: 404),
                    action: action)
            }
        }
        if flavor == .etherscan, let rejection = etherscanRejection(request, chainID: chainID) {
            lock.withLock { stats.rejected += 1 }
            return finish(Self.etherscanError(rejection), action: action)
        }

        let key = request.query["apikey"] ?? ""
        let unixDay = Int(Date().timeIntervalSince1970) / 86_400
        let (verdict, fault): (RateLimiter.Verdict, FaultInjector.Decision?) = lock.withLock {
            let verdict = limiter.admit(key: key, nanoseconds: monotonicNanoseconds(), unixDay: unixDay)
            switch verdict {
            case .admitted:
                let ordinal = nextFaultOrdinal
                nextFaultOrdinal += 1
                return (verdict, faults.decision(forRequest: ordinal))
            case .perSecondExceeded:
                stats.throttled += 1
                return (verdict, nil)
            case .dailyExceeded:
                stats.dailyLimited += 1
                return (verdict, nil)
            }
        }
        switch verdict {
        case .admitted: break
        case .perSecondExceeded(let limit):
            return finish(limitAnswer(flavor, "Max calls per sec rate limit reached (\(limit)/sec)"), action: action)
        case .dailyExceeded(let limit):
            return finish(
                limitAnswer(flavor, "Max daily rate limit reached. \(limit) (100%) of \(limit) day/limit"),
                action: action)
        }

        let head = generator.chain.head(atUnixTime: nowUnixSeconds)
        guard let fault else {
            return finish(answer(request, flavor: flavor, generator: generator, head: head), action: action)
        }
        var kind = fault.kind
        if kind == .timeout, flavor == .blockscoutV2 || !Self.isDataAction(request) { kind = .serviceUnavailable }
        lock.withLock {
            stats.faultsInjected += 1
            stats.faultsByKind[kind.rawValue, default: 0] += 1
        }
        logger.debug("fault injected", metadata: ["fault.kind": "\(kind.rawValue)", "request.action": "\(action)"])
        switch kind {
        case .badGateway:
            return finish(Self.gatewayPage(502, "Bad Gateway"), action: action, counted: false)
        case .serviceUnavailable:
            return finish(Self.gatewayPage(503, "Service Temporarily Unavailable"), action: action, counted: false)
        case .tooManyRequests:
            var answer: Answer
            switch flavor {
            case .etherscan: answer = Self.gatewayPage(429, "Too Many Requests")
            case .blockscout: answer = Self.blockscoutError(Self.blockscoutRateLimitText)
            case .blockscoutV2: answer = Self.blockscoutV2Message(Self.blockscoutRateLimitText, status: 429)
            }
            answer.status = 429
            answer.extraHeaders = [("Retry-After", "1")]
            return finish(answer, action: action, counted: false)
        case .drop:
            return .drop
        case .timeout:
            let answer =
                flavor == .etherscan
                ? Self.etherscanError(Self.queryTimeoutText) : Self.blockscoutError(Self.queryTimeoutText)
            return finish(answer, action: action, counted: false)
        case .slow:
            return finish(
                answer(request, flavor: flavor, generator: generator, head: head), action: action, delay: fault.delay)
        case .truncate:
            var answer = answer(request, flavor: flavor, generator: generator, head: head)
            let kept = min(answer.body.count - 1, max(1, Int(Double(answer.body.count) * fault.keptFraction)))
            answer.body = Array(answer.body.prefix(kept))
            return finish(answer, action: action, counted: false)
        }
    }

    private func answer(_ request: ServerRequest, flavor: Flavor, generator: ChainGenerator, head: Int) -> Answer {
        switch flavor {
        case .etherscan: return etherscanAnswer(request.query, generator: generator, head: head)
        case .blockscout: return blockscoutAnswer(request.query, generator: generator, head: head)
        case .blockscoutV2: return blockscoutV2Answer(request, generator: generator, head: head)
        }
    }

    /// Missing or wrong key, or a chain outside the plan; nil when the request may proceed.
    private func etherscanRejection(_ request: ServerRequest, chainID: Int) -> String? {
        if let required = configuration.apiKey {
            let given = request.query["apikey"] ?? ""
            if given.isEmpty { return "Missing/Invalid API Key" }
            if given != required { return "Invalid API Key" }
        }
        if let paid = configuration.paidChainIDs, !paid.contains(chainID) { return Self.freePlanText }
        return nil
    }

    private func limitAnswer(_ flavor: Flavor, _ etherscanText: String) -> Answer {
        switch flavor {
        case .etherscan:
            return Self.etherscanError(etherscanText)
        case .blockscout:
            var answer = Self.blockscoutError(Self.blockscoutRateLimitText)
            answer.status = 429
            return answer
        case .blockscoutV2:
            return Self.blockscoutV2Message(Self.blockscoutRateLimitText, status: 429)
        }
    }

    private func finish(_ answer: Answer, action: String, delay: Double = 0, counted: Bool = true) -> ServerAction {
        lock.withLock {
            stats.byStatus[answer.status, default: 0] += 1
            if counted { stats.rowsServed += answer.rows }
        }
        let contentType = answer.body.first == UInt8(ascii: "<") ? "text/html" : "application/json; charset=utf-8"
        return .respond(
            ServerResponse(
                status: answer.status, contentType: contentType, body: answer.body, extraHeaders: answer.extraHeaders),
            delay: delay)
    }

    static func actionName(_ request: ServerRequest, flavor: Flavor) -> String {
        if flavor == .blockscoutV2 { return "blockscout:" + v2RouteName(request.path) }
        let module = request.query["module"] ?? ""
        let action = request.query["action"] ?? ""
        let name: String
        switch (module.lowercased(), action.lowercased()) {
        case ("logs", "getlogs"): name = "logs/getLogs"
        case ("account", "tokentx"): name = "account/tokentx"
        case ("proxy", "eth_blocknumber"): name = "proxy/eth_blockNumber"
        case ("block", "eth_block_number"): name = "block/eth_block_number"
        case ("block", "getblocknobytime"): name = "block/getblocknobytime"
        default: name = "\(module)/\(action)"
        }
        return flavor == .blockscout ? "blockscout:" + name : name
    }

    private static func isDataAction(_ request: ServerRequest) -> Bool {
        let action = request.query["action"]?.lowercased()
        return action == "getlogs" || action == "tokentx"
    }

    private static func gatewayPage(_ status: Int, _ title: String) -> Answer {
        let page =
            "<html>\r\n<head><title>\(status) \(title)</title></head>\r\n<body>\r\n<center><h1>\(status) \(title)</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        return Answer(body: Array(page.utf8), status: status)
    }

    // MARK: envelopes

    /// `{"status":"0","message":"NOTOK","result":"<text>"}` at HTTP 200.
    static func etherscanError(_ text: String, message: String = "NOTOK") -> Answer {
        var writer = JSONLineWriter()
        writer.beginObject()
        writer.field("status", "0")
        writer.field("message", message)
        writer.field("result", text)
        writer.endObject()
        return Answer(body: writer.bytes)
    }

    /// `{"message":"<text>","result":null,"status":"0"}` (or `result: []` for an empty list).
    static func blockscoutError(_ text: String, emptyList: Bool = false) -> Answer {
        var writer = JSONLineWriter()
        writer.beginObject()
        writer.field("message", text)
        writer.key("result")
        if emptyList {
            writer.beginArray()
            writer.endArray()
        } else {
            writer.null()
        }
        writer.field("status", "0")
        writer.endObject()
        return Answer(body: writer.bytes)
    }

    /// The paging an explorer applies: rows `skip ..< skip + limit`, or the window error.
    struct Paging: Equatable {
        var skip: Int
        var limit: Int
    }

    /// `page` (1-based) and `offset` as an explorer reads them: a missing offset means
    /// `defaultOffset`; `page × offset` beyond the 10,000 window is refused; the served page size
    /// is then limited to `maximumOffset` (Etherscan caps silently; Blockscout ignores larger values).
    static func paging(_ query: [String: String], defaultOffset: Int, maximumOffset: Int, ignoreAboveMaximum: Bool)
        -> Paging?
    {
        let page = max(1, Int(query["page"] ?? "") ?? 1)
        var offset = Int(query["offset"] ?? "") ?? defaultOffset
        if offset <= 0 { offset = defaultOffset }
        if ignoreAboveMaximum, offset > maximumOffset { offset = defaultOffset }
        let (product, overflow) = page.multipliedReportingOverflow(by: offset)
        guard !overflow, product <= resultWindow else { return nil }
        let served = min(offset, maximumOffset)
        return Paging(skip: (page - 1) * served, limit: served)
    }

    /// A block parameter: decimal digits or `latest`; `fallback` when absent.
    static func blockParameter(_ text: String?, head: Int, fallback: Int) -> Int? {
        guard let text, !text.isEmpty else { return fallback }
        if text.lowercased() == "latest" { return head }
        return Int(text).flatMap { $0 >= 0 ? $0 : nil }
    }

    static func isAddress(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 42, bytes[0] == 48, bytes[1] == 120 || bytes[1] == 88 else { return false }
        return bytes[2...].allSatisfy { (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }
    }

    /// The ERC-20 token index at `address` on `generator`'s chain; nil if none.
    static func tokenIndex(_ address: String, in generator: ChainGenerator, erc20Only: Bool) -> Int? {
        let lowered = address.lowercased()
        return generator.tokens.first { $0.address == lowered && (!erc20Only || $0.isERC20) }?.index
    }
}

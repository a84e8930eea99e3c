import Foundation

@testable import ChainETLExplorers

/// A scripted Etherscan/Blockscout server behind the `HTTPTransport` protocol.
///
/// Serves one token's transfers from `rowsPerBlock` with the real paging rules (sort asc, page,
/// offset, a result window), plus configurable quirks: a silent page cap, "Query Timeout" above a
/// window span, a server-side per-second limit on the manual clock, and injected faults.
final class FakeExplorer: HTTPTransport, @unchecked Sendable {
    enum Fault: Equatable {
        case http(Int, retryAfter: String?)
        case rateLimitText
        case busyText
        case truncated
        case connectionLost
        case timeout
    }

    let contract = "0x" + String(repeating: "ab", count: 20)
    let apiKey = "TESTKEY-8c1f0d2e9a"

    private let lock = NSLock()
    var rowsPerBlock: [Int: Int]
    var hexNumbers = false
    var head = 10_000
    var pageCap = 1_000
    var resultWindow = 10_000
    var queryTimeoutAboveSpan: Int?
    var ignoresPage = false
    var serverRatePerSecond: Int?
    var clock: ManualClock?
    var fault: (_ index: Int, _ parameters: [String: String]) -> Fault? = { _, _ in nil }
    /// Rows (`"block:index"`) sent with an unreadable `blockNumber`.
    var unreadableBlockNumbers: Set<String> = []

    private(set) var requests: [[String: String]] = []
    private(set) var urls: [String] = []
    private(set) var throttled = 0
    private var sendTimes: [TimeInterval] = []

    init(rowsPerBlock: [Int: Int]) {
        self.rowsPerBlock = rowsPerBlock
    }

    /// Every row in `[from, to]` in order, as the exact bytes the server sends.
    func rows(from: Int, to: Int) -> [[UInt8]] {
        var result: [[UInt8]] = []
        for block in rowsPerBlock.keys.sorted() where block >= from && block <= to {
            for index in 0..<rowsPerBlock[block, default: 0] { result.append(row(block: block, index: index)) }
        }
        return result
    }

    /// Rows `skip ..< skip + limit` of `[from, to]`, generated without building the whole range.
    private func rows(from: Int, to: Int, skip: Int, limit: Int) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var toSkip = skip
        for block in sortedBlocks where block >= from && block <= to {
            let count = rowsPerBlock[block, default: 0]
            if toSkip >= count {
                toSkip -= count
                continue
            }
            for index in toSkip..<count {
                result.append(row(block: block, index: index))
                if result.count == limit { return result }
            }
            toSkip = 0
        }
        return result
    }

    private lazy var sortedBlocks: [Int] = rowsPerBlock.keys.sorted()

    func row(block: Int, index: Int) -> [UInt8] {
        let number =
            unreadableBlockNumbers.contains("\(block):\(index)")
            ? "n/a" : hexNumbers ? "0x" + String(block, radix: 16) : String(block)
        let logIndex = hexNumbers ? (index == 0 ? "0x" : "0x" + String(index, radix: 16)) : String(index)
        return Array(
            "{\"blockNumber\":\"\(number)\",\"hash\":\"0x\(block)f\(index)\",\"contractAddress\":\"\(contract)\",\"logIndex\":\"\(logIndex)\",\"value\":\"115792089237316195423570985008687907853269984665640564039457584007913129639935\",\"tokenName\":\"Sp\\u00e4m \\\"x\\\"\"}"
                .utf8)
    }

    func get(_ request: HTTPRequest) throws -> HTTPResponse {
        lock.lock()
        defer { lock.unlock() }
        let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
        var parameters: [String: String] = [:]
        for item in components?.queryItems ?? [] { parameters[item.name] = item.value ?? "" }
        let index = requests.count
        requests.append(parameters)
        urls.append(request.url.absoluteString)

        if let clock, let limit = serverRatePerSecond {
            let now = clock.now()
            sendTimes.append(now)
            if sendTimes.filter({ $0 > now - 1 }).count > limit {
                throttled += 1
                return json("{\"status\":\"0\",\"message\":\"NOTOK\",\"result\":\"Max calls per sec rate limit reached (\(limit)/sec)\"}")
            }
        }
        if parameters["apikey"] != apiKey {
            return json("{\"status\":\"0\",\"message\":\"NOTOK\",\"result\":\"Invalid API Key\"}")
        }
        if let fault = fault(index, parameters) {
            switch fault {
            case .http(let status, let retryAfter):
                return HTTPResponse(
                    status: status, headers: retryAfter.map { ["Retry-After": $0] } ?? [:],
                    body: Array("<html>busy</html>".utf8))
            case .rateLimitText:
                return json("{\"status\":\"0\",\"message\":\"NOTOK\",\"result\":\"Max rate limit reached\"}")
            case .busyText:
                return json(
                    "{\"message\":\"Unexpected err, timeout occurred or server too busy. Please try again later\",\"result\":null,\"status\":\"0\"}")
            case .truncated:
                let full = answer(parameters)
                return HTTPResponse(status: 200, body: Array(full.body.prefix(full.body.count / 2)))
            case .connectionLost:
                throw ExplorerError.transport(.connectionLost, request: request.redacted)
            case .timeout:
                throw ExplorerError.transport(.timeout, request: request.redacted)
            }
        }
        return answer(parameters)
    }

    private func json(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: Array(text.utf8))
    }

    private func answer(_ parameters: [String: String]) -> HTTPResponse {
        switch (parameters["module"], parameters["action"]) {
        case ("proxy", "eth_blockNumber"), ("block", "eth_block_number"):
            return json("{\"jsonrpc\":\"2.0\",\"result\":\"0x\(String(head, radix: 16))\",\"id\":83}")
        case ("block", "getblocknobytime"):
            // Block N is at 1_700_000_000 + 12 N.
            let timestamp = Int(parameters["timestamp"] ?? "") ?? 0
            let offset = timestamp - 1_700_000_000
            let block = parameters["closest"] == "after" ? (offset + 11) / 12 : offset / 12
            return json("{\"status\":\"1\",\"message\":\"OK\",\"result\":\"\(block)\"}")
        case ("account", "tokentx"), ("logs", "getLogs"):
            let from = Int(parameters["startblock"] ?? parameters["fromBlock"] ?? "") ?? 0
            let to = Int(parameters["endblock"] ?? parameters["toBlock"] ?? "") ?? 0
            let page = ignoresPage ? 1 : Int(parameters["page"] ?? "1") ?? 1
            let offset = ignoresPage ? 1000 : Int(parameters["offset"] ?? "10000") ?? 10_000
            if page * offset > resultWindow {
                return json(
                    "{\"status\":\"0\",\"message\":\"NOTOK\",\"result\":\"Result window is too large, PageNo x Offset size must be less than or equal to \(resultWindow)\"}")
            }
            if let span = queryTimeoutAboveSpan, to - from + 1 > span {
                return json(
                    "{\"status\":\"0\",\"message\":\"NOTOK\",\"result\":\"Query Timeout occured. Please select a smaller result dataset\"}")
            }
            let effective = min(offset, pageCap)
            let slice = rows(from: from, to: to, skip: (page - 1) * effective, limit: effective)
            if slice.isEmpty { return json("{\"status\":\"0\",\"message\":\"No transactions found\",\"result\":[]}") }
            var body = Array("{\"status\":\"1\",\"message\":\"OK\",\"result\":[".utf8)
            for (position, row) in slice.enumerated() {
                if position > 0 { body.append(UInt8(ascii: ",")) }
                body += row
            }
            body += Array("]}".utf8)
            return HTTPResponse(status: 200, body: body)
        default:
            return json("{\"status\":\"0\",\"message\":\"NOTOK\",\"result\":\"Error! Missing Or invalid Action name\"}")
        }
    }
}

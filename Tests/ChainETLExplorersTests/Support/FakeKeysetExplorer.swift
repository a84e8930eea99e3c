import Foundation

@testable import ChainETLExplorers

/// A scripted Blockscout REST v2 server behind `HTTPTransport`: one token's transfers, newest
/// first, keyset cursors `block_number` / `index` (strictly below), `next_page_params` with a
/// cumulative `items_count`, `null` on the last page.
///
/// Quirks: `ignoresUnknownCursors` answers a cursor without `items_count` (our seek) with the
/// newest page, `stuckCursorAfter` keeps sending the same `next_page_params`, and `fault`
/// replaces an answer by an HTTP status, a truncated body or a lost connection.
final class FakeKeysetExplorer: HTTPTransport, @unchecked Sendable {
    enum Fault: Equatable {
        case http(Int, retryAfter: String?)
        case truncated
        case connectionLost
    }

    let contract = "0x" + String(repeating: "cd", count: 20)
    let apiKey = "V2KEY-5e1d7a9c3b"
    var rowsPerBlock: [Int: Int]
    var head = 10_000
    var pageSize = 50
    var ignoresUnknownCursors = false
    var stuckCursorAfter: Int?
    var fault: (_ index: Int) -> Fault? = { _ in nil }

    private let lock = NSLock()
    private(set) var requests: [[QueryParameter]] = []
    private(set) var paths: [String] = []
    private(set) var urls: [String] = []
    /// The `next_page_params` of every page served, in order (nil: last page).
    private(set) var cursorsServed: [[QueryParameter]?] = []

    init(rowsPerBlock: [Int: Int]) {
        self.rowsPerBlock = rowsPerBlock
    }

    /// Every item in `[from, to]`, oldest first: the order the extractor must write.
    func items(from: Int, to: Int) -> [[UInt8]] {
        var result: [[UInt8]] = []
        for block in rowsPerBlock.keys.sorted() where block >= from && block <= to {
            for index in 0..<rowsPerBlock[block, default: 0] { result.append(item(block: block, logIndex: index * 3)) }
        }
        return result
    }

    /// One item with the v2 fields normalize reads (checksummed-looking mixed case included).
    func item(block: Int, logIndex: Int) -> [UInt8] {
        let hash = "0x" + String(format: "%064x", block * 1_000 + logIndex)
        return Array(
            "{\"block_hash\":\"0x\(String(repeating: "b", count: 64))\",\"block_number\":\(block),\"from\":{\"hash\":\"0xAbCd\(String(repeating: "0", count: 36))\"},\"log_index\":\(logIndex),\"timestamp\":\"2026-11-20T00:00:00.000000Z\",\"to\":{\"hash\":\"0x\(String(repeating: "E", count: 40))\"},\"token\":{\"address_hash\":\"\(contract)\",\"decimals\":\"6\",\"name\":\"Sp\\u00e4m\",\"symbol\":\"SPM\",\"type\":\"ERC-20\"},\"token_type\":\"ERC-20\",\"total\":{\"decimals\":\"6\",\"value\":\"\(block)\(logIndex)\"},\"transaction_hash\":\"\(hash)\",\"type\":\"token_transfer\"}"
                .utf8)
    }

    func get(_ request: HTTPRequest) throws -> HTTPResponse {
        lock.lock()
        defer { lock.unlock() }
        let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
        let parameters = (components?.queryItems ?? []).map { QueryParameter($0.name, $0.value ?? "") }
        let index = requests.count
        requests.append(parameters)
        paths.append(request.url.path)
        urls.append(request.url.absoluteString)
        if let fault = fault(index) {
            switch fault {
            case .http(let status, let retryAfter):
                let body = status == 429 ? "{\"message\":\"Too many requests\"}" : "<html>busy</html>"
                return HTTPResponse(
                    status: status, headers: retryAfter.map { ["Retry-After": $0] } ?? [:], body: Array(body.utf8))
            case .truncated:
                let full = answer(parameters)
                return HTTPResponse(status: 200, body: Array(full.body.prefix(full.body.count / 2)))
            case .connectionLost:
                throw ExplorerError.transport(.connectionLost, request: request.redacted)
            }
        }
        guard request.url.path.hasSuffix("/api/v2/tokens/\(contract)/transfers") else {
            return HTTPResponse(status: 404, body: Array("{\"message\":\"Not found\"}".utf8))
        }
        return answer(parameters)
    }

    private func answer(_ parameters: [QueryParameter]) -> HTTPResponse {
        func value(_ name: String) -> String? { parameters.first { $0.name == name }?.value }
        var cursor: (block: Int, index: Int)?
        if let block = value("block_number").flatMap({ Int($0) }), let index = value("index").flatMap({ Int($0) }),
            !(ignoresUnknownCursors && value("items_count") == nil)
        {
            cursor = (block, index)
        }
        let served = value("items_count").flatMap { Int($0) } ?? 0
        var page: [(block: Int, logIndex: Int)] = []
        var block = min(head, cursor?.block ?? head)
        collect: while block >= 0 {
            for position in (0..<rowsPerBlock[block, default: 0]).reversed() {
                let logIndex = position * 3
                if let cursor, cursor.block == block, logIndex >= cursor.index { continue }
                page.append((block, logIndex))
                if page.count > pageSize { break collect }
            }
            block -= 1
        }
        var next: [QueryParameter]?
        if page.count > pageSize {
            page.removeLast()
            let last = page[page.count - 1]
            next = [
                QueryParameter("block_number", String(last.block)), QueryParameter("index", String(last.logIndex)),
                QueryParameter("items_count", String(served + page.count)),
            ]
        }
        if let stuckCursorAfter, cursorsServed.count >= stuckCursorAfter, let previous = cursorsServed.last {
            next = previous
        }
        cursorsServed.append(next)
        var body = Array("{\"items\":[".utf8)
        for (position, key) in page.enumerated() {
            if position > 0 { body.append(UInt8(ascii: ",")) }
            body += item(block: key.block, logIndex: key.logIndex)
        }
        body += Array("],\"next_page_params\":".utf8)
        if let next {
            body += Array("{\(next.map { "\"\($0.name)\":\($0.value)" }.joined(separator: ","))}".utf8)
        } else {
            body += Array("null".utf8)
        }
        body += Array("}".utf8)
        return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: body)
    }
}

import Foundation

/// A parsed HTTP/1.1 request.
struct ServerRequest: Sendable {
    var method: String
    /// The path without the query string, e.g. `/v2/api`.
    var path: String
    /// Query parameters with lowercased names (explorers accept `startBlock` and `startblock`).
    /// A repeated name keeps its first value.
    var query: [String: String]
    /// Header names lowercased.
    var headers: [String: String]
    var body: [UInt8]
    var httpVersion: String

    init(
        method: String, target: String, headers: [String: String] = [:], body: [UInt8] = [],
        httpVersion: String = "HTTP/1.1"
    ) {
        self.method = method
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = parts.isEmpty ? "/" : String(parts[0])
        query = parts.count > 1 ? Self.parseQuery(String(parts[1])) : [:]
    }

    /// Whether the connection stays open after the response.
    var keepAlive: Bool {
        let connection = headers["connection"]?.lowercased()
        if httpVersion == "HTTP/1.0" { return connection == "keep-alive" }
        return connection != "close"
    }

    static func parseQuery(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let pieces = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(pieces[0]).lowercased()
            let value = pieces.count > 1 ? decode(pieces[1]) : ""
            if result[name] == nil { result[name] = value }
        }
        return result
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

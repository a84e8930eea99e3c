import Foundation

/// A URL safe to print: API key query values and user-info passwords are replaced by `***`.
///
/// Only the redacted text is stored, so no code path can recover the secret from this value.
public struct RedactedURL: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The URL with every secret replaced by `***`.
    public let text: String

    /// Query parameter names whose values are secrets (compared case-insensitively).
    static let secretParameters: Set<String> = ["apikey", "api_key", "key", "token", "access_token"]

    public init(_ url: URL) {
        self.init(string: url.absoluteString)
    }

    /// Redacts a URL given as text (used for URLs that may not parse).
    public init(string: String) {
        self.text = Self.redact(string)
    }

    public var description: String { text }

    /// The endpoint and window in a few words, for one-line notices: `logs/getLogs blocks
    /// 100-200 page 1` (Etherscan-style `module`/`action`, `fromBlock`/`startblock`,
    /// `toBlock`/`endblock`, `page`), or the path for REST endpoints; never the host or a secret.
    public var endpointSummary: String {
        guard let components = URLComponents(string: text) else { return "request" }
        var values: [String: String] = [:]
        for item in components.queryItems ?? [] { values[item.name.lowercased()] = item.value ?? "" }
        var words: [String] = []
        if let module = values["module"], let action = values["action"] {
            words.append("\(module)/\(action)")
        } else {
            // REST: the path after `api/` (`v2/tokens/0x…/transfers`).
            var parts = components.path.split(separator: "/")
            if let api = parts.firstIndex(of: "api") { parts = Array(parts[parts.index(after: api)...]) }
            words.append(parts.isEmpty ? "request" : parts.joined(separator: "/"))
        }
        let from = values["fromblock"] ?? values["startblock"]
        let to = values["toblock"] ?? values["endblock"]
        if let from, let to { words.append("blocks \(from)-\(to)") }
        if let page = values["page"] { words.append("page \(page)") }
        return words.joined(separator: " ")
    }
    public var debugDescription: String { text }

    private static func redact(_ string: String) -> String {
        var head = Substring(string)
        var fragment: Substring = ""
        if let hash = head.firstIndex(of: "#") {
            fragment = head[hash...]
            head = head[..<hash]
        }
        var query: Substring?
        if let mark = head.firstIndex(of: "?") {
            query = head[head.index(after: mark)...]
            head = head[..<mark]
        }
        var result = redactUserInfo(head)
        if let query {
            let parts = query.split(separator: "&", omittingEmptySubsequences: false).map { part -> String in
                guard let equals = part.firstIndex(of: "=") else { return String(part) }
                let name = part[..<equals].lowercased()
                return secretParameters.contains(name) ? "\(part[..<equals])=***" : String(part)
            }
            result += "?" + parts.joined(separator: "&")
        }
        return result + fragment
    }

    /// `scheme://user:password@host` becomes `scheme://user:***@host`.
    private static func redactUserInfo(_ head: Substring) -> String {
        guard let scheme = head.range(of: "://") else { return String(head) }
        let authorityStart = scheme.upperBound
        let authorityEnd = head[authorityStart...].firstIndex(of: "/") ?? head.endIndex
        let authority = head[authorityStart..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return String(head) }
        let userInfo = authority[..<at]
        let user = userInfo.split(separator: ":", maxSplits: 1).first ?? ""
        let redactedInfo = userInfo.contains(":") ? "\(user):***" : "***"
        return String(head[..<authorityStart]) + redactedInfo + String(head[at..<head.endIndex])
    }

    /// Replaces every occurrence of `secret` in `text` by `***` (for texts a server may echo).
    public static func scrub(_ text: String, secret: String?) -> String {
        guard let secret, !secret.isEmpty else { return text }
        return text.replacingOccurrences(of: secret, with: "***")
    }
}

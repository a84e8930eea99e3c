import Foundation

/// Where one chain's explorer API is and how to authenticate: the base of every request.
///
/// Holds the API key *value* (read by the caller from the env var named in the config); its
/// `description` never shows it.
public struct ExplorerEndpoint: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// e.g. `https://api.etherscan.io/v2/api` or `http://127.0.0.1:P/blockscout/10/api`.
    public var baseURL: URL
    public var chainID: Int
    /// The API key value, or nil for keyless access. Never printed.
    public var apiKey: String?
    /// Whether requests carry `chainid=` (Etherscan V2; Blockscout has one base URL per chain).
    public var sendsChainID: Bool
    /// Per-request timeout in seconds.
    public var timeout: TimeInterval

    public init(baseURL: URL, chainID: Int, apiKey: String?, sendsChainID: Bool, timeout: TimeInterval = 30) {
        self.baseURL = baseURL
        self.chainID = chainID
        self.apiKey = apiKey
        self.sendsChainID = sendsChainID
        self.timeout = timeout
    }

    /// Parses `baseURL`, refusing anything but an absolute http(s) URL.
    public init(baseURL text: String, chainID: Int, apiKey: String?, sendsChainID: Bool, timeout: TimeInterval = 30)
        throws
    {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host != nil
        else {
            throw ExplorerError.invalidConfiguration(
                "base url \(RedactedURL(string: text)) is not an absolute http(s) url")
        }
        self.init(baseURL: url, chainID: chainID, apiKey: apiKey, sendsChainID: sendsChainID, timeout: timeout)
    }

    /// The fingerprint the rate limiter and quota counter use for this endpoint's key.
    public var keyFingerprint: APIKeyFingerprint { APIKeyFingerprint(apiKey: apiKey) }

    /// A GET request to the base URL with `parameters`, `chainid` first and `apikey` last.
    public func request(_ parameters: [QueryParameter]) -> HTTPRequest {
        request(url: baseURL, parameters)
    }

    /// A GET request to `pathComponents` under the base URL (Blockscout REST v2).
    public func request(path pathComponents: [String], _ parameters: [QueryParameter]) -> HTTPRequest {
        var url = baseURL
        for component in pathComponents { url.appendPathComponent(component) }
        return request(url: url, parameters, includeChainID: false)
    }

    private func request(url: URL, _ parameters: [QueryParameter], includeChainID: Bool? = nil) -> HTTPRequest {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false) ?? URLComponents()
        var items = components.queryItems ?? []
        if includeChainID ?? sendsChainID { items.append(URLQueryItem(name: "chainid", value: String(chainID))) }
        items += parameters.map { URLQueryItem(name: $0.name, value: $0.value) }
        if let apiKey, !apiKey.isEmpty { items.append(URLQueryItem(name: "apikey", value: apiKey)) }
        components.queryItems = items.isEmpty ? nil : items
        // Query values are hex, digits and keywords; encode '+' too so a key containing it survives.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return HTTPRequest(url: components.url ?? url, timeout: timeout)
    }

    public var description: String {
        "\(RedactedURL(baseURL)) (chain \(chainID), \(apiKey == nil ? "no api key" : "api key ***"))"
    }
    public var debugDescription: String { description }
}

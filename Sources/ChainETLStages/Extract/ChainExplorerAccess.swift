import ChainETLCore
import ChainETLExplorers

/// How to reach one chain's explorer: its endpoint with the API key read from the env var the
/// pipeline names (`api_key_env`). The key lives only inside `endpoint` and is never printed.
public struct ChainExplorerAccess: Sendable {
    public let chain: ChainSpec
    public let endpoint: ExplorerEndpoint

    /// Reads the key from `environment`; throws when the named variable is unset or empty (the
    /// message names the variable) or when the base URL is not an absolute http(s) URL.
    public init(chain: ChainSpec, environment: [String: String]) throws {
        var apiKey: String?
        if let variable = chain.apiKeyEnv {
            guard let value = environment[variable], !value.isEmpty else {
                throw ExtractError.missingAPIKey(chain: chain.name, variable: variable)
            }
            apiKey = value
        }
        do {
            endpoint = try ExplorerEndpoint(
                baseURL: chain.baseURL, chainID: chain.chainID, apiKey: apiKey,
                sendsChainID: chain.explorer == .etherscan)
        } catch let error as ExplorerError {
            throw ExtractError.explorer(chain: chain.name, target: nil, underlying: error)
        }
        self.chain = chain
    }

    /// The name the rate limiter and the quota counter use for this chain's key.
    public var fingerprint: APIKeyFingerprint { endpoint.keyFingerprint }
}

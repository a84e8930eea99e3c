/// Performs one blocking HTTP GET. Callers are worker threads, never the cooperative pool.
///
/// Implementations throw `ExplorerError.transport` for failures below HTTP; any HTTP status,
/// including 429 and 5xx, comes back as a response.
public protocol HTTPTransport: Sendable {
    func get(_ request: HTTPRequest) throws -> HTTPResponse
}

/// How an HTTP exchange failed below the HTTP layer.
public enum TransportFailure: Equatable, Sendable, CustomStringConvertible {
    /// No complete response within the request's timeout.
    case timeout
    /// The connection was reset or dropped mid-exchange.
    case connectionLost
    /// The connection could not be opened (refused, unreachable, DNS).
    case cannotConnect
    /// Any other failure; the text never contains the request URL.
    case other(String)

    public var description: String {
        switch self {
        case .timeout: return "timeout"
        case .connectionLost: return "connection lost"
        case .cannotConnect: return "cannot connect"
        case .other(let text): return text
        }
    }
}

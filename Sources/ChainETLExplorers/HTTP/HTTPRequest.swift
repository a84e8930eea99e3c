import Foundation

/// One GET request to an explorer. Printing it never shows the API key.
public struct HTTPRequest: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The full URL, API key included: hand it to a transport, never to a log.
    public var url: URL
    /// Seconds before the whole exchange counts as a timeout.
    public var timeout: TimeInterval

    public init(url: URL, timeout: TimeInterval = 30) {
        self.url = url
        self.timeout = timeout
    }

    /// The URL with secrets replaced by `***`: the only form that may be logged or stored.
    public var redacted: RedactedURL { RedactedURL(url) }

    public var description: String { "GET \(redacted)" }
    public var debugDescription: String { description }
}

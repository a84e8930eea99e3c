import ChainETLCore
import Dispatch
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The production transport: Foundation's `URLSession`, bridged to a blocking call.
///
/// The completion handler signals a semaphore; the calling worker thread waits on it with the
/// request's timeout as a hard deadline (URLSession's own timeout is only an idle timeout).
/// Failures map to `TransportFailure` without Foundation's error text, which embeds the URL and
/// therefore the API key.
public final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
    // `@unchecked`: URLSession is thread-safe; the class holds nothing else mutable.
    private let session: URLSession

    /// - Parameter maximumConnectionsPerHost: connections kept open per explorer host.
    public init(maximumConnectionsPerHost: Int = 8) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpMaximumConnectionsPerHost = maximumConnectionsPerHost
        configuration.httpAdditionalHeaders = ["Accept": "application/json", "User-Agent": "chainetl"]
        session = URLSession(configuration: configuration)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    public func get(_ request: HTTPRequest) throws -> HTTPResponse {
        var urlRequest = URLRequest(
            url: request.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: request.timeout)
        urlRequest.httpMethod = "GET"
        let completion = Completion()
        let task = session.dataTask(with: urlRequest) { data, response, error in
            completion.finish(data: data, response: response, error: error)
        }
        task.resume()
        // Waits in short slices so a stop signal (CancellationFlag.process) cancels the request.
        let deadline = DispatchTime.now() + request.timeout
        while !completion.wait(until: min(deadline, DispatchTime.now() + 0.2)) {
            if CancellationFlag.process.isCancelled {
                task.cancel()
                throw CancellationFlag.Interrupted()
            }
            if DispatchTime.now() >= deadline {
                task.cancel()
                throw ExplorerError.transport(.timeout, request: request.redacted)
            }
        }
        let (data, response, error) = completion.result
        if let error {
            throw ExplorerError.transport(Self.failure(for: error), request: request.redacted)
        }
        guard let http = response as? HTTPURLResponse else {
            throw ExplorerError.transport(.other("response is not http"), request: request.redacted)
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            headers[String(describing: name).lowercased()] = String(describing: value)
        }
        return HTTPResponse(status: http.statusCode, headers: headers, body: [UInt8](data ?? Data()))
    }

    /// Maps a URLSession error to a failure kind, keeping only the numeric code for unknown ones.
    static func failure(for error: Error) -> TransportFailure {
        guard let urlError = error as? URLError else {
            let code = (error as NSError).code
            return .other("transport error \(code)")
        }
        switch urlError.code {
        case .timedOut:
            return .timeout
        case .networkConnectionLost, .badServerResponse, .cannotParseResponse, .zeroByteResource,
            .cannotDecodeRawData, .cannotDecodeContentData, .resourceUnavailable:
            return .connectionLost
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet,
            .secureConnectionFailed:
            return .cannotConnect
        default:
            return .other("url error \(urlError.code.rawValue)")
        }
    }
}

/// One request's completion, handed from URLSession's delegate queue to the waiting thread.
private final class Completion: @unchecked Sendable {
    // `@unchecked`: `result` is written once before `signal()` and read only after `wait()`.
    private let semaphore = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stored: (Data?, URLResponse?, Error?) = (nil, nil, nil)

    func finish(data: Data?, response: URLResponse?, error: Error?) {
        lock.lock()
        stored = (data, response, error)
        lock.unlock()
        semaphore.signal()
    }

    /// Waits for completion; false when `deadline` passed first.
    func wait(until deadline: DispatchTime) -> Bool {
        semaphore.wait(timeout: deadline) == .success
    }

    var result: (Data?, URLResponse?, Error?) {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

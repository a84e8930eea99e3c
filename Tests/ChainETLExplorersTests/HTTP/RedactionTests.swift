import Foundation
import Testing

@testable import ChainETLExplorers

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Redaction and the URLSession transport")
struct RedactionTests {
    let key = "ZX9SECRETKEY123"

    @Test func apiKeyValuesAndPasswordsAreMasked() {
        let url = URL(string: "https://user:pw@api.etherscan.io/v2/api?chainid=1&apikey=\(key)&module=logs#frag")!
        let redacted = RedactedURL(url)
        #expect(redacted.text == "https://user:***@api.etherscan.io/v2/api?chainid=1&apikey=***&module=logs#frag")
        #expect(RedactedURL(string: "http://h/api?APIKEY=\(key)").text == "http://h/api?APIKEY=***")
        #expect(RedactedURL.scrub("bad key \(key)!", secret: key) == "bad key ***!")
    }

    @Test func endpointSummariesNameTheCallAndWindowNeverTheHostOrKey() {
        let logs = RedactedURL(
            string: "https://api.etherscan.io/v2/api?chainid=1&module=logs&action=getLogs&address=0xabc"
                + "&fromBlock=100&toBlock=200&page=1&offset=1000&apikey=\(key)")
        #expect(logs.endpointSummary == "logs/getLogs blocks 100-200 page 1")
        let tokentx = RedactedURL(
            string: "https://h/api?module=account&action=tokentx&startblock=5&endblock=9&page=2&apikey=\(key)")
        #expect(tokentx.endpointSummary == "account/tokentx blocks 5-9 page 2")
        let rest = RedactedURL(string: "https://eth.blockscout.com/api/v2/tokens/0xabc/transfers?index=7")
        #expect(rest.endpointSummary == "v2/tokens/0xabc/transfers")
        for summary in [logs.endpointSummary, tokentx.endpointSummary, rest.endpointSummary] {
            #expect(!summary.contains(key) && !summary.contains("etherscan.io") && !summary.contains("***"))
        }
        let line = ExplorerRequestExecutor.retryLine(
            .httpStatus(502, detail: "", request: logs), attempt: 2, delay: 1.44, request: logs)
        #expect(line == "attempt 2 failed (http 502) on logs/getLogs blocks 100-200 page 1; retrying in 1.4s")
        let quick = ExplorerRequestExecutor.retryLine(
            .transport(.timeout, request: logs), attempt: 1, delay: 0.034, request: logs)
        #expect(quick.hasSuffix("(timeout) on logs/getLogs blocks 100-200 page 1; retrying in 34ms"))
        #expect(ExplorerError.transport(.timeout, request: logs).shortReason == "timeout")
        #expect(ExplorerError.transport(.other("url error -1"), request: logs).shortReason == "transport error")
    }

    @Test func requestsAndEndpointsNeverPrintTheKey() throws {
        let endpoint = try ExplorerEndpoint(
            baseURL: "https://api.etherscan.io/v2/api", chainID: 25, apiKey: key, sendsChainID: true)
        let client = EtherscanClient(endpoint: endpoint)
        let request = client.logsRequest(contract: "0xabc", fromBlock: 1, toBlock: 2, page: 1, offset: 1000)
        #expect(request.url.absoluteString.contains("apikey=\(key)"))
        #expect(
            request.url.absoluteString
                == "https://api.etherscan.io/v2/api?chainid=25&module=logs&action=getLogs&address=0xabc&fromBlock=1&toBlock=2&topic0=0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef&page=1&offset=1000&apikey=\(key)")
        for text in [
            "\(request)", String(reflecting: request), "\(endpoint)", String(reflecting: endpoint),
            "\(request.redacted)",
        ] {
            #expect(!text.contains(key), "\(text)")
        }
    }

    @Test func everyErrorDescriptionIsRedacted() {
        let redacted = RedactedURL(string: "https://api.etherscan.io/v2/api?apikey=\(key)")
        let errors: [ExplorerError] = [
            .transport(.timeout, request: redacted),
            .httpStatus(503, detail: "", request: redacted),
            .malformedResponse("x", request: redacted),
            .rateLimited("x", request: redacted),
            .invalidAPIKey("Invalid API Key", request: redacted),
            .chainNotOnPlan("x", request: redacted),
            .invalidRequest("x", request: redacted),
            .explorerRejected("x", request: redacted),
            .retriesExhausted(attempts: 8, last: .queryTimeout("x", request: redacted)),
        ]
        for error in errors {
            #expect(!error.description.contains(key))
            #expect(!String(reflecting: error).contains(key))
            #expect(error.description.contains("apikey=***"))
        }
    }

    @Test func serverTextEchoingTheKeyIsScrubbed() {
        let body = "{\"status\":\"0\",\"message\":\"NOTOK\",\"result\":\"Invalid API Key \(key)\"}"
        do {
            _ = try ExplorerResponseParser.rows(
                from: HTTPResponse(status: 200, body: Array(body.utf8)), request: RedactedURL(string: "http://h/api"),
                secret: key)
            Issue.record("an error envelope parsed")
        } catch {
            #expect(!"\(error)".contains(key))
            #expect("\(error)".contains("check the environment variable named by api_key_env"))
        }
    }

    #if canImport(Glibc)
    @Test func refusedConnectionMapsToATypedRetryableError() throws {
        let port = try LoopbackListener.unusedPort()
        let transport = URLSessionTransport()
        let request = HTTPRequest(url: URL(string: "http://127.0.0.1:\(port)/api?apikey=\(key)")!, timeout: 5)
        do {
            _ = try transport.get(request)
            Issue.record("a closed port answered")
        } catch let error as ExplorerError {
            #expect(error.isRetryable)
            guard case .transport = error else {
                Issue.record("expected a transport error, got \(error)")
                return
            }
            #expect(!error.description.contains(key))
        }
    }

    @Test func silentServerTimesOutAtTheRequestDeadline() throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        let transport = URLSessionTransport()
        let request = HTTPRequest(url: URL(string: "http://127.0.0.1:\(listener.port)/api?apikey=\(key)")!, timeout: 0.5)
        #expect(throws: ExplorerError.transport(.timeout, request: request.redacted)) {
            _ = try transport.get(request)
        }
    }

    @Test func responsesKeepStatusHeadersAndBodyBytes() throws {
        let body = "{\"status\":\"0\",\"message\":\"NOTOK\",\"result\":\"Max rate limit reached\"}"
        let listener = try LoopbackListener()
        defer { listener.close() }
        listener.serve(
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        let request = HTTPRequest(url: URL(string: "http://127.0.0.1:\(listener.port)/api?apikey=\(key)")!, timeout: 10)
        let response = try URLSessionTransport().get(request)
        #expect(response.status == 429)
        #expect(response.header("Retry-After") == "3")
        #expect(response.retryAfter() == 3)
        #expect(response.body == Array(body.utf8))
    }

    @Test func droppedConnectionIsARetryableTransportError() throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        listener.serve(nil)
        let request = HTTPRequest(url: URL(string: "http://127.0.0.1:\(listener.port)/api?apikey=\(key)")!, timeout: 10)
        do {
            _ = try URLSessionTransport().get(request)
            Issue.record("a dropped connection produced a response")
        } catch let error as ExplorerError {
            guard case .transport = error else {
                Issue.record("expected a transport error, got \(error)")
                return
            }
            #expect(error.isRetryable)
            #expect(!error.description.contains(key))
        }
    }
    #endif
}

#if canImport(Glibc)

/// A loopback socket that accepts connections into its backlog and never answers.
final class LoopbackListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Answers one connection with `response` (or closes it unanswered when nil), on a thread.
    func serve(_ response: String?) {
        let descriptor = self.descriptor
        let thread = Thread {
            let connection = accept(descriptor, nil, nil)
            guard connection >= 0 else { return }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !received.ends(with: Array("\r\n\r\n".utf8)) {
                let count = read(connection, &buffer, buffer.count)
                if count <= 0 { break }
                received += buffer[0..<count]
            }
            if let response {
                let bytes = Array(response.utf8)
                _ = bytes.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            }
            _ = Glibc.close(connection)
        }
        thread.start()
    }

    func close() {
        _ = Glibc.close(descriptor)
    }

    /// A port nobody listens on (bound, then released).
    static func unusedPort() throws -> Int {
        let listener = try LoopbackListener()
        listener.close()
        return listener.port
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
#endif

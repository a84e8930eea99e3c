import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A minimal HTTP/1.1 server on POSIX sockets, bound to 127.0.0.1 only.
///
/// One thread accepts; each connection gets its own thread and serves requests in order with
/// keep-alive. Responses always carry `Content-Length`. Blocking I/O is deliberate: the simulator
/// is a test double and a thread per connection keeps it simple and exact.
///
/// `@unchecked Sendable`: mutable state (listening socket, open connections) is guarded by `lock`.
final class HTTPServer: @unchecked Sendable {
    typealias Handler = @Sendable (ServerRequest) -> ServerAction
    /// Waits the given seconds on the connection's thread before an answer is written.
    typealias Sleeper = @Sendable (Double) -> Void

    private let handler: Handler
    private let sleeper: Sleeper
    private let logger: Logger
    private let lock = NSLock()
    private var listeningSocket: Int32 = -1
    private var openConnections: Set<Int32> = []
    private var stopping = false
    private let acceptLoopFinished = DispatchSemaphore(value: 0)
    private(set) var port: Int = 0

    /// Idle keep-alive connections are closed after this many seconds.
    static let idleTimeoutSeconds = 30
    private static let maximumHeaderBytes = 64 * 1024

    /// - Parameter sleeper: how a delayed answer waits; tests pass one that records the delay.
    init(
        logger: Logger, sleeper: @escaping Sleeper = { Thread.sleep(forTimeInterval: $0) },
        handler: @escaping Handler
    ) {
        self.logger = logger
        self.sleeper = sleeper
        self.handler = handler
    }

    /// Binds 127.0.0.1:`port` (0 picks a free port), starts accepting and returns the bound port.
    func start(port requestedPort: Int) throws(SimulatorError) -> Int {
        guard (0...65_535).contains(requestedPort) else { throw .invalidOption("--port", "must be 0…65535") }
        #if canImport(Glibc)
            let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let socketFD = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard socketFD >= 0 else { throw .socket("socket", errno) }
        var yes: Int32 = 1
        setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(requestedPort).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let code = errno
            close(socketFD)
            throw .socket("bind 127.0.0.1:\(requestedPort)", code)
        }
        guard listen(socketFD, 128) == 0 else {
            let code = errno
            close(socketFD)
            throw .socket("listen", code)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        lock.withLock { listeningSocket = socketFD }
        let thread = Thread { [self] in acceptLoop(socketFD) }
        thread.name = "simulator-accept"
        thread.start()
        return port
    }

    /// Stops accepting, closes open connections and waits for the accept loop to end.
    func stop() {
        let socketFD: Int32 = lock.withLock {
            guard !stopping, listeningSocket >= 0 else { return -1 }
            stopping = true
            for connection in openConnections { shutdown(connection, Int32(SHUT_RDWR)) }
            return listeningSocket
        }
        guard socketFD >= 0 else { return }
        shutdown(socketFD, Int32(SHUT_RDWR))
        acceptLoopFinished.wait()
        close(socketFD)
    }

    private func acceptLoop(_ socketFD: Int32) {
        defer { acceptLoopFinished.signal() }
        while true {
            let connection = accept(socketFD, nil, nil)
            if connection < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if lock.withLock({ stopping }) { return }
                logger.error("accept failed", metadata: ["errno": "\(errno)"])
                return
            }
            let accepted: Bool = lock.withLock {
                guard !stopping else { return false }
                openConnections.insert(connection)
                return true
            }
            guard accepted else {
                close(connection)
                return
            }
            let thread = Thread { [self] in serve(connection) }
            thread.name = "simulator-connection"
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer {
            lock.withLock { _ = openConnections.remove(connection) }
            close(connection)
        }
        var timeout = timeval(tv_sec: Self.idleTimeoutSeconds, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var noDelay: Int32 = 1
        setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        #if canImport(Darwin)
            var noSigPipe: Int32 = 1
            setsockopt(connection, SOL_SOCKET, SO_NOSIGPIPE, &noSigPipe, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var buffer: [UInt8] = []
        while true {
            let parsed = readRequest(connection, &buffer)
            guard case .request(let request) = parsed else {
                if case .malformed(let status) = parsed {
                    let response = ServerResponse.html(
                        status: status, "<html><body>\(ServerResponse.reason(status))</body></html>")
                    _ = writeAll(connection, response.serialized(keepAlive: false))
                }
                return
            }
            switch handler(request) {
            case .drop:
                return
            case .respond(let response, let delay):
                if delay > 0 { sleeper(delay) }
                let keepAlive = request.keepAlive
                guard writeAll(connection, response.serialized(keepAlive: keepAlive)), keepAlive else { return }
            }
        }
    }

    private enum ReadOutcome {
        case request(ServerRequest)
        case closed
        case malformed(status: Int)
    }

    private func readRequest(_ connection: Int32, _ buffer: inout [UInt8]) -> ReadOutcome {
        var scanned = 0
        var headerEnd: Int?
        while headerEnd == nil {
            if let end = Self.findHeaderEnd(buffer, from: scanned) {
                headerEnd = end
                break
            }
            scanned = max(0, buffer.count - 3)
            guard buffer.count <= Self.maximumHeaderBytes else { return .malformed(status: 431) }
            guard receive(connection, into: &buffer) else { return .closed }
        }
        let end = headerEnd!
        let head = String(decoding: buffer[0..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { return .malformed(status: 400) }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let bodyLength = Int(headers["content-length"] ?? "0") ?? -1
        guard bodyLength >= 0, bodyLength <= 1 << 20 else { return .malformed(status: 400) }
        let bodyStart = end + 4
        while buffer.count < bodyStart + bodyLength {
            guard receive(connection, into: &buffer) else { return .closed }
        }
        let body = Array(buffer[bodyStart..<(bodyStart + bodyLength)])
        buffer.removeFirst(bodyStart + bodyLength)
        return .request(
            ServerRequest(
                method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body,
                httpVersion: String(requestLine[2])))
    }

    private static func findHeaderEnd(_ buffer: [UInt8], from start: Int) -> Int? {
        guard buffer.count >= 4 else { return nil }
        var index = start
        while index + 3 < buffer.count {
            if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Appends what the peer sent; false on close, error or idle timeout.
    private func receive(_ connection: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return true
            }
            if count < 0, errno == EINTR { continue }
            return false
        }
    }

    private func writeAll(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
        #else
            let flags: Int32 = 0
        #endif
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(connection, $0.baseAddress! + offset, $0.count - offset, flags) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}

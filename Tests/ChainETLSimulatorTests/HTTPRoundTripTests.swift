import Foundation
import Testing

@testable import ChainETLSimulator

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// A blocking loopback client that reads exactly what the server sends.
private struct RawConnection {
    let socketFD: Int32

    init(port: Int) throws {
        socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(connected == 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(socketFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// One response: status, headers, body (by Content-Length); nil if the server closed first.
    func response() -> (status: Int, headers: [String: String], body: [UInt8])? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        func fill() -> Bool {
            let count = chunk.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return false }
            buffer += chunk[0..<count]
            return true
        }
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = buffer.indices.dropLast(3).first {
                buffer[$0] == 13 && buffer[$0 + 1] == 10 && buffer[$0 + 2] == 13 && buffer[$0 + 3] == 10
            }
            if headerEnd == nil, !fill() { return nil }
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0")!
        while buffer.count < headerEnd! + 4 + length { if !fill() { return nil } }
        let status = Int(head[0].split(separator: " ")[1])!
        return (status, headers, Array(buffer[(headerEnd! + 4)..<(headerEnd! + 4 + length)]))
    }

    /// True when the server closed the connection without sending anything more.
    func closedByServer() -> Bool {
        var byte: UInt8 = 0
        return recv(socketFD, &byte, 1, 0) == 0
    }

    func close() { _ = Glibc.close(socketFD) }
}

@Suite("HTTP over loopback", .serialized)
struct HTTPRoundTripTests {
    @Test func urlSessionRoundTripAndStats() async throws {
        let server = try SimulatorServer(
            configuration: SimulatorConfiguration(fixedNow: pinnedNow), logger: quietLogger)
        let port = try server.start()
        defer { server.stop() }
        #expect(port > 0)
        #expect(server.baseURL == "http://127.0.0.1:\(port)")
        let url = try #require(
            URL(string: "\(server.baseURL)/v2/api?chainid=1&module=proxy&action=eth_blockNumber&apikey=k"))
        let (data, response) = try await URLSession.shared.data(from: url)
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 200)
        #expect(http.value(forHTTPHeaderField: "Content-Type") == "application/json; charset=utf-8")
        let head = SimulatedChain.chain(id: 1)!.head(atUnixTime: pinnedNow)
        #expect(
            String(decoding: data, as: UTF8.self)
                == #"{"jsonrpc":"2.0","result":"0x\#(String(head, radix: 16))","id":83}"#)

        let (statsData, _) = try await URLSession.shared.data(
            from: try #require(URL(string: "\(server.baseURL)/_sim/stats")))
        let stats = try #require(try JSONSerialization.jsonObject(with: statsData) as? [String: Any])
        #expect(stats["requests"] as? Int == 1)
        var reset = URLRequest(url: try #require(URL(string: "\(server.baseURL)/_sim/reset-stats")))
        reset.httpMethod = "POST"
        _ = try await URLSession.shared.data(for: reset)
        #expect(server.stats.requests == 0)
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        let server = try SimulatorServer(
            configuration: SimulatorConfiguration(fixedNow: pinnedNow), logger: quietLogger)
        let port = try server.start()
        defer { server.stop() }
        let connection = try RawConnection(port: port)
        defer { connection.close() }
        let target =
            "/v2/api?chainid=1&module=account&action=tokentx&contractaddress=\(usdc.address)&startblock=\(testDayBlocks.lowerBound)&endblock=\(testDayBlocks.upperBound)&offset=1000&page="
        var bodies: [[UInt8]] = []
        for page in 1...3 {
            connection.send("GET \(target)\(page) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let response = try #require(connection.response())
            #expect(response.status == 200)
            #expect(response.headers["connection"] == "keep-alive")
            #expect(JSONShape.isValid(response.body))
            bodies.append(response.body)
        }
        #expect(Set(bodies).count == 3)
        #expect(bodies.prefix(2).allSatisfy { $0.count > 100_000 })
        // Three pages hold the whole day of USDC (about 2,000 transfers).
        let truth = try GroundTruth.compute(
            seed: 1, chainID: 1, tokens: ["USDC"], from: testDay, to: testDay, includeTransfers: false)
        let total = try #require(truth.daily.first?.allTransferCount)
        #expect((1_800...2_400).contains(total))
        connection.send("GET /_sim/stats HTTP/1.1\r\nConnection: close\r\n\r\n")
        let stats = try #require(connection.response())
        #expect(String(decoding: stats.body, as: UTF8.self).contains(#""rows_served":\#(total)"#))
        #expect(connection.closedByServer())
    }

    @Test func faultsOnTheWire() throws {
        let dropping = try SimulatorServer(
            configuration: SimulatorConfiguration(faultRate: 1, faultKinds: [.drop], fixedNow: pinnedNow),
            logger: quietLogger)
        let dropPort = try dropping.start()
        defer { dropping.stop() }
        let dropped = try RawConnection(port: dropPort)
        defer { dropped.close() }
        dropped.send("GET /v2/api?chainid=1&module=proxy&action=eth_blockNumber HTTP/1.1\r\n\r\n")
        #expect(dropped.response() == nil)

        let truncating = try SimulatorServer(
            configuration: SimulatorConfiguration(
                faultRate: 1, faultKinds: [.truncate, .tooManyRequests], fixedNow: pinnedNow),
            logger: quietLogger)
        let port = try truncating.start()
        defer { truncating.stop() }
        let connection = try RawConnection(port: port)
        defer { connection.close() }
        var kinds = Set<String>()
        for _ in 0..<12 {
            connection.send(
                "GET /v2/api?chainid=1&module=logs&action=getLogs&address=\(usdc.address)&fromBlock=\(testDayBlocks.lowerBound)&toBlock=\(testDayBlocks.lowerBound + 2000) HTTP/1.1\r\n\r\n"
            )
            let response = try #require(connection.response())
            if response.status == 429 {
                #expect(response.headers["retry-after"] == "1")
                kinds.insert("429")
            } else {
                #expect(response.status == 200)
                #expect(Int(response.headers["content-length"] ?? "") == response.body.count)
                #expect(!JSONShape.isValid(response.body))
                kinds.insert("truncate")
            }
        }
        #expect(kinds == ["429", "truncate"])
        #expect(truncating.stats.faultsInjected == 12)
    }

    @Test func stopClosesIdleConnectionsAndFreesThePort() throws {
        let server = try SimulatorServer(
            configuration: SimulatorConfiguration(fixedNow: pinnedNow), logger: quietLogger)
        let port = try server.start()
        let idle = try RawConnection(port: port)
        defer { idle.close() }
        idle.send("GET /_sim/stats HTTP/1.1\r\n\r\n")
        #expect(idle.response()?.status == 200)
        server.stop()
        #expect(idle.closedByServer())
        let again = try SimulatorServer(
            configuration: SimulatorConfiguration(port: port, fixedNow: pinnedNow), logger: quietLogger)
        #expect(try again.start() == port)
        again.stop()
    }
}

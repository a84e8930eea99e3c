import ChainETLCore
import ChainETLSimulator
import Foundation
import Logging
import Testing

@testable import ChainETLExplorers

/// End to end over real HTTP: `TransferExtractor` against an in-process `SimulatorServer` with
/// faults and a per-second limit on, compared with the simulator's independent ground truth.
@Suite("TransferExtractor against the explorer simulator")
struct TransferExtractorSimulatorTests {
    static let seed: UInt64 = 5
    static let transfersPerDay = 1_200
    static let apiKey = "E2EKEY7c41d9a0b3f2SECRET"
    /// 2026-11-18: the days below are closed.
    static let now = 1_795_000_000

    /// (tx hash, token, from, to, value) of one ERC-20 transfer.
    struct Transfer: Hashable, Comparable {
        var txHash: String
        var token: String
        var from: String
        var to: String
        var value: String

        static func < (lhs: Transfer, rhs: Transfer) -> Bool {
            (lhs.txHash, lhs.token, lhs.from, lhs.to, lhs.value) < (rhs.txHash, rhs.token, rhs.from, rhs.to, rhs.value)
        }
    }

    struct MissingField: Error {
        var key: String
    }

    static func field(_ object: [String: Any], _ key: String) throws -> String {
        guard let value = object[key] as? String else { throw MissingField(key: key) }
        return value
    }

    /// Decodes a getLogs or tokentx row; nil for a log that is not an ERC-20 Transfer (3 topics).
    static func transfer(_ row: RawExplorerRow) throws -> Transfer? {
        guard let object = try JSONSerialization.jsonObject(with: Data(row.row.bytes)) as? [String: Any] else {
            throw MissingField(key: "row")
        }
        switch row.source {
        case .etherscanLogs, .blockscoutLogs:
            guard let topics = object["topics"] as? [String] else { throw MissingField(key: "topics") }
            guard topics.count == 3 else { return nil }
            guard let value = UInt256(hex: try field(object, "data")) else { throw MissingField(key: "data") }
            return Transfer(
                txHash: try field(object, "transactionHash"), token: try field(object, "address"),
                from: "0x" + topics[1].suffix(40), to: "0x" + topics[2].suffix(40), value: value.description)
        case .etherscanTokenTransfers, .blockscoutTokenTransfers:
            return Transfer(
                txHash: try field(object, "hash"), token: try field(object, "contractAddress"),
                from: try field(object, "from"), to: try field(object, "to"), value: try field(object, "value"))
        case .blockscoutV2:
            func nested(_ key: String, _ member: String) throws -> String {
                guard let inner = object[key] as? [String: Any] else { throw MissingField(key: key) }
                return try field(inner, member)
            }
            // v2 hashes are EIP-55 checksummed; the ground truth is lowercase.
            return Transfer(
                txHash: try field(object, "transaction_hash"), token: try nested("token", "address_hash").lowercased(),
                from: try nested("from", "hash").lowercased(), to: try nested("to", "hash").lowercased(),
                value: try nested("total", "value"))
        }
    }

    @Test(arguments: [ExplorerSourceKind.etherscanTokenTransfers, .etherscanLogs, .blockscoutV2])
    func threeDaysWithFaultsEqualGroundTruth(source: ExplorerSourceKind) throws {
        let server = try SimulatorServer(
            configuration: SimulatorConfiguration(
                port: 0, generator: GeneratorConfiguration(seed: Self.seed, transfersPerDay: Self.transfersPerDay),
                apiKey: Self.apiKey, ratePerSecond: 6, faultRate: 0.1, fixedNow: Self.now),
            logger: Logger(label: "chainetl.tests.simulator") { _ in SwiftLogNoOpLogHandler() })
        try server.start()
        defer { server.stop() }

        let tokens = SimulatedChain.tokens(chainID: 1).filter { ["WETH", "NODEC"].contains($0.symbol) }
        #expect(tokens.count == 2)
        var events: [ExplorerEvent] = []
        let extractor = TransferExtractor(
            source: source,
            endpoint: try ExplorerEndpoint(
                baseURL: source.isBlockscout ? "\(server.baseURL)/blockscout/1/api" : "\(server.baseURL)/v2/api",
                chainID: 1, apiKey: Self.apiKey, sendsChainID: !source.isBlockscout),
            transport: URLSessionTransport(),
            limiter: TokenBucket(ratePerSecond: 6, clock: SystemMonotonicClock()),
            retryPolicy: RetryPolicy(baseDelay: 0.05, maximumDelay: 0.5, maximumAttempts: 12),
            logger: Logger(label: "chainetl.tests.extractor") { _ in SwiftLogNoOpLogHandler() },
            currentDate: { Date(timeIntervalSince1970: TimeInterval(Self.now)) },
            onEvent: { events.append($0) })

        let head = try extractor.headBlockNumber()
        var rowCount = 0
        for day in PartitionDay.range(from: PartitionDay("2026-11-08")!, through: PartitionDay("2026-11-10")!) {
            let range = try extractor.resolve(day: day)
            let blocks = try #require(SimulatedChain.chain(id: 1)?.blocks(on: day))
            #expect(range.firstBlock == blocks.lowerBound && range.lastBlock == blocks.upperBound)
            #expect(range.isClosed(head: head, confirmations: 12))
            var extracted: [Transfer] = []
            for token in tokens {
                var lastBlock = range.firstBlock
                try extractor.extract(
                    target: try ExtractionTarget(contract: token.address), fromBlock: range.firstBlock,
                    toBlock: range.lastBlock
                ) { row in
                    #expect(row.row.blockNumber >= lastBlock, "rows arrive in ascending block order")
                    #expect(blocks.contains(row.row.blockNumber))
                    lastBlock = row.row.blockNumber
                    if let transfer = try Self.transfer(row) { extracted.append(transfer) }
                    rowCount += 1
                }
            }
            let truth = try GroundTruth.compute(
                seed: Self.seed, chainID: 1, tokens: tokens.map(\.address), from: day, to: day,
                transfersPerDay: Self.transfersPerDay)
            let expected = try #require(truth.transfers).map {
                Transfer(
                    txHash: $0.txHash, token: $0.tokenAddress, from: $0.fromAddress, to: $0.toAddress, value: $0.value)
            }
            #expect(expected.count > 2_000)
            #expect(extracted.count == expected.count, "\(source) rows on \(day)")
            #expect(extracted.sorted() == expected.sorted(), "\(source) transfer multiset on \(day)")
        }
        let stats = server.stats
        #expect(stats.faultsInjected > 0)
        // URLSession may resend a GET by itself after a dropped keep-alive connection: the server
        // then counts a request the extractor never saw.
        #expect(stats.requests >= extractor.requestCount)
        #expect(stats.requests - extractor.requestCount <= stats.faultsByKind["drop", default: 0])
        #expect(events.contains { $0.kind == .retry || $0.kind == .throttled })
        #expect(
            events.allSatisfy {
                !$0.message.contains(Self.apiKey) && !($0.request?.text.contains(Self.apiKey) ?? false)
            })
        #expect(rowCount > 6_000)
    }
}

import ChainETLCore
import Foundation
import Logging
import Testing

@testable import ChainETLExplorers

@Suite("Blockscout v2 keyset extraction against a scripted server")
struct KeysetExtractionTests {
    final class Harness {
        let server: FakeKeysetExplorer
        let clock = ManualClock()
        var events: [ExplorerEvent] = []
        var progress: [ExtractionProgress] = []
        var rows: [RawExplorerRow] = []
        lazy var extractor: TransferExtractor = TransferExtractor(
            source: .blockscoutV2,
            endpoint: ExplorerEndpoint(
                baseURL: URL(string: "http://127.0.0.1:1/blockscout/10/api")!, chainID: 10, apiKey: server.apiKey,
                sendsChainID: false),
            transport: server, limiter: TokenBucket(ratePerSecond: 5, clock: clock), clock: clock,
            random: SeededRandom(seed: 7), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            currentDate: { Date(timeIntervalSince1970: 1_763_694_000) },
            onEvent: { [unowned self] in self.events.append($0) },
            onProgress: { [unowned self] in self.progress.append($0) })

        init(rowsPerBlock: [Int: Int]) {
            server = FakeKeysetExplorer(rowsPerBlock: rowsPerBlock)
        }

        @discardableResult
        func run(from: Int, to: Int) throws -> ExtractionProgress {
            try extractor.extract(target: try ExtractionTarget(contract: server.contract), fromBlock: from, toBlock: to)
            {
                rows.append($0)
            }
        }
    }

    /// Blocks 0…3000 with 0–7 transfers each (some empty).
    static func busy(seed: UInt64) -> [Int: Int] {
        var random = SeededRandom(seed: seed)
        var result: [Int: Int] = [:]
        for block in 0...3_000 { result[block] = Int(random.next() % 8) }
        return result
    }

    @Test func rowsComeOutOldestFirstAndCursorsRoundTripVerbatim() throws {
        let harness = Harness(rowsPerBlock: Self.busy(seed: 1))
        let summary = try harness.run(from: 1_000, to: 1_800)
        let truth = harness.server.items(from: 1_000, to: 1_800)
        #expect(truth.count > 1_500)
        #expect(harness.rows.map(\.row.bytes) == truth)
        #expect(summary.rows == truth.count)
        #expect(summary.calls == harness.server.requests.count)

        let requests = harness.server.requests
        #expect(
            requests.first == [
                QueryParameter("block_number", "1801"), QueryParameter("index", "0"),
                QueryParameter("apikey", harness.server.apiKey),
            ])
        // Every later request carries the previous page's next_page_params, then the key.
        for (position, request) in requests.enumerated().dropFirst() {
            let previous = try #require(harness.server.cursorsServed[position - 1])
            #expect(request == previous + [QueryParameter("apikey", harness.server.apiKey)])
        }
        #expect(
            harness.server.paths.allSatisfy {
                $0 == "/blockscout/10/api/v2/tokens/\(harness.server.contract)/transfers"
            })
        // The walk stops on the first page that reaches below block 1000: no further call.
        let needed = Int((Double(harness.server.items(from: 1_000, to: 1_800).count) / 50).rounded(.up))
        #expect(requests.count <= needed + 1)

        let first = try #require(harness.rows.first)
        #expect(first.source == .blockscoutV2 && first.endpoint == "v2/tokens/transfers")
        #expect(first.fromBlock == 1_000 && first.toBlock == 1_800 && first.offset == 50)
        #expect(first.contract == harness.server.contract && first.address == nil)
        #expect(first.page == harness.rows.map(\.page).max(), "the oldest rows come from the last page")
        #expect(harness.rows.last?.page == 1)
        #expect(first.fetchedAt == "2025-11-21T03:00:00Z")
        let keys = harness.rows.map { ($0.row.blockNumber, $0.row.logIndex ?? -1) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 })
        #expect(harness.progress.last?.blocksDone == 801)
        #expect(harness.progress.last?.rows == truth.count)
    }

    @Test func aServerIgnoringTheSeekStillYieldsExactlyTheRange() throws {
        let harness = Harness(rowsPerBlock: Self.busy(seed: 2))
        harness.server.head = 2_500
        harness.server.ignoresUnknownCursors = true
        try harness.run(from: 1_200, to: 1_300)
        #expect(harness.rows.map(\.row.bytes) == harness.server.items(from: 1_200, to: 1_300))
        // It had to page down from the head: many more calls than the range needs.
        #expect(harness.server.requests.count > 20)
    }

    @Test func theLastPageEndsTheWalkAtGenesis() throws {
        let harness = Harness(rowsPerBlock: [0: 2, 5: 1, 60: 3, 61: 0, 62: 4])
        try harness.run(from: 0, to: 100)
        #expect(harness.rows.map(\.row.bytes) == harness.server.items(from: 0, to: 100))
        #expect(harness.server.requests.count == 1)
        #expect(harness.server.cursorsServed == [nil])
    }

    @Test func throttlesAndBrokenBodiesAreRetriedWithoutLosingRows() throws {
        let harness = Harness(rowsPerBlock: Self.busy(seed: 3))
        harness.server.fault = { index in
            switch index {
            case 1: return .http(429, retryAfter: "2")
            case 3: return .truncated
            case 4: return .connectionLost
            case 6: return .http(503, retryAfter: nil)
            default: return nil
            }
        }
        try harness.run(from: 500, to: 1_100)
        #expect(harness.rows.map(\.row.bytes) == harness.server.items(from: 500, to: 1_100))
        #expect(harness.events.filter { $0.kind == .throttled }.count == 1)
        #expect(harness.events.filter { $0.kind == .retry }.count == 3)
        #expect(harness.clock.sleeps.contains { $0 >= 2 }, "Retry-After is honoured")
        for event in harness.events {
            #expect(!event.message.contains(harness.server.apiKey))
            #expect(event.request?.text.contains("apikey=***") == true)
        }
        // A retried request is the same request: the cursor does not move on a failure.
        #expect(harness.server.requests[1] == harness.server.requests[2])
    }

    @Test func aStuckCursorFailsWithoutWritingAnything() throws {
        let harness = Harness(rowsPerBlock: Self.busy(seed: 4))
        harness.server.stuckCursorAfter = 2
        #expect {
            try harness.run(from: 100, to: 2_000)
        } throws: { error in
            guard case ExplorerError.unexpectedRows(let reason, let request) = error else { return false }
            return reason.contains("keyset") && !request.text.contains(harness.server.apiKey)
        }
        #expect(harness.rows.isEmpty)
    }

    @Test func anEmptyRangeSendsNoRequest() throws {
        let harness = Harness(rowsPerBlock: Self.busy(seed: 5))
        let summary = try harness.run(from: 900, to: 899)
        #expect(harness.server.requests.isEmpty && harness.rows.isEmpty && summary.rows == 0)
    }

    @Test func accountTargetsReadTheAddressList() throws {
        let client = BlockscoutClient(
            endpoint: ExplorerEndpoint(
                baseURL: URL(string: "http://127.0.0.1:1/blockscout/10/api")!, chainID: 10, apiKey: nil,
                sendsChainID: false))
        let account = "0x" + String(repeating: "1", count: 40)
        let token = "0x" + String(repeating: "2", count: 40)
        let paired = client.tokenTransfersV2Request(
            target: try ExtractionTarget(contract: token, address: account),
            cursor: [QueryParameter("block_number", "7"), QueryParameter("index", "3")])
        #expect(
            paired.url.absoluteString
                == "http://127.0.0.1:1/blockscout/10/api/v2/addresses/\(account)/token-transfers?type=ERC-20&token=\(token)&block_number=7&index=3"
        )
        let alone = client.tokenTransfersV2Request(target: try ExtractionTarget(address: account), cursor: nil)
        #expect(alone.url.absoluteString.hasSuffix("/v2/addresses/\(account)/token-transfers?type=ERC-20"))
        #expect(
            BlockscoutClient.v2Endpoint(for: try ExtractionTarget(address: account)) == "v2/addresses/token-transfers")
        let tokenOnly = client.tokenTransfersV2Request(target: try ExtractionTarget(contract: token), cursor: nil)
        #expect(tokenOnly.url.absoluteString == "http://127.0.0.1:1/blockscout/10/api/v2/tokens/\(token)/transfers")
    }
}

@Suite("ReversingRowSpill")
struct ReversingRowSpillTests {
    @Test func recordsComeBackInReverseAcrossBufferBoundaries() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chainetl-spill-test-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A 64-byte buffer: most records straddle a refill, some are larger than the buffer.
        let spill = try ReversingRowSpill(directory: directory, bufferSize: 64)
        var written: [ReversingRowSpill.Record] = []
        var random = SeededRandom(seed: 9)
        for number in 0..<500 {
            let length = Int(random.next() % 150)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let record = ReversingRowSpill.Record(
                row: ExplorerRow(bytes: bytes, blockNumber: 10_000 - number, logIndex: number % 3 == 0 ? nil : number),
                page: number / 50 + 1, fetchedAtUnixSeconds: 1_763_694_000 + number)
            try spill.append(record)
            written.append(record)
        }
        #expect(spill.count == 500)
        var read: [ReversingRowSpill.Record] = []
        try spill.forEachReversed { read.append($0) }
        #expect(read.map(\.row) == written.reversed().map(\.row))
        #expect(read.map(\.page) == written.reversed().map(\.page))
        #expect(read.map(\.fetchedAtUnixSeconds) == written.reversed().map(\.fetchedAtUnixSeconds))
        // The file was unlinked at creation: nothing is left in the directory.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func aMissingDirectoryIsALocalFileError() {
        #expect {
            _ = try ReversingRowSpill(directory: URL(fileURLWithPath: "/nonexistent-chainetl-dir"))
        } throws: { error in
            guard case ExplorerError.localFile(let operation, let path, _) = error else { return false }
            return operation == "create" && path.hasPrefix("/nonexistent-chainetl-dir/")
                && (error as? ExplorerError)?.description.contains("disk space") == true
        }
    }
}

import ChainETLCore
import Foundation
import Logging
import Testing

@testable import ChainETLSimulator

/// 2026-11-18T…Z: every day up to 2026-11-17 is closed on every chain.
let pinnedNow = 1_795_000_000
let testDay = PartitionDay("2026-11-01")!

enum Fixture {
    static func bytes(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json"))
        return Array(try Data(contentsOf: url))
    }
}

/// A structural fingerprint of JSON: object keys in order with value shapes, arrays as the
/// distinct shapes of their elements, scalars as `s`, `n`, `b`, `null`.
enum JSONShape {
    static func of(_ bytes: [UInt8]) throws -> String {
        try JSONScanner.withScanner(bytes) { scanner in try describe(try scanner.root(), scanner) }
    }

    private static func describe(_ slice: JSONSlice, _ scanner: JSONScanner) throws -> String {
        switch slice.kind {
        case .object:
            var parts: [String] = []
            try scanner.forEachMember(of: slice) { key, value in
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: scanner.bytes[key]), as: UTF8.self)
                parts.append(name + ":" + (try describe(value, scanner)))
                return true
            }
            return "{" + parts.joined(separator: ",") + "}"
        case .array:
            var shapes: [String] = []
            try scanner.forEachElement(of: slice) { element in
                let shape = try describe(element, scanner)
                if !shapes.contains(shape) { shapes.append(shape) }
                return true
            }
            return "[" + shapes.joined(separator: "|") + "]"
        case .string: return "s"
        case .number: return "n"
        case .bool: return "b"
        case .null: return "null"
        }
    }

    /// Whether `bytes` is one complete JSON value.
    static func isValid(_ bytes: [UInt8]) -> Bool {
        (try? JSONScanner.withScanner(bytes) { try $0.root() }) != nil
    }
}

/// A monotonic clock the tests move by hand (no sleeping).
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var nanoseconds: UInt64 = 5_000_000_000

    func now() -> UInt64 { lock.withLock { nanoseconds } }

    func advance(seconds: Double) {
        lock.withLock { nanoseconds += UInt64(seconds * 1_000_000_000) }
    }
}

/// What the service did with one request.
struct Reply {
    var status: Int
    var body: [UInt8]
    var headers: [(String, String)]
    var dropped: Bool
    var delay: Double

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The parsed body (object), for tests that read values rather than bytes.
    func object() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }

    func rows() throws -> [[String: Any]] {
        try object()["result"] as? [[String: Any]] ?? []
    }
}

let quietLogger = Logger(label: "chainetl.simulator.tests") { _ in SwiftLogNoOpLogHandler() }

func makeService(
    _ configuration: SimulatorConfiguration = SimulatorConfiguration(fixedNow: pinnedNow),
    clock: ManualClock = ManualClock()
)
    -> ExplorerService
{
    ExplorerService(configuration: configuration, logger: quietLogger, monotonicNanoseconds: { clock.now() })
}

extension ExplorerService {
    func get(_ target: String, method: String = "GET") -> Reply {
        switch handle(ServerRequest(method: method, target: target)) {
        case .drop:
            return Reply(status: 0, body: [], headers: [], dropped: true, delay: 0)
        case .respond(let response, let delay):
            return Reply(
                status: response.status, body: response.body, headers: response.headers, dropped: false, delay: delay)
        }
    }
}

/// Chain 1's blocks for `testDay`.
let testDayBlocks = SimulatedChain.chain(id: 1)!.blocks(on: testDay)!
let usdc = SimulatedChain.tokens(chainID: 1)[0]
let punks = SimulatedChain.tokens(chainID: 1)[6]

/// Schoolbook addition of non-negative decimal strings of any length: an implementation
/// independent of `AmountSum`, for cross-checking sums above 2^256.
enum DecimalText {
    static func add(_ left: String, _ right: String) -> String {
        let a = Array(left.utf8.reversed())
        let b = Array(right.utf8.reversed())
        var digits: [UInt8] = []
        var carry: UInt8 = 0
        for index in 0..<max(a.count, b.count) {
            let sum = (index < a.count ? a[index] - 48 : 0) + (index < b.count ? b[index] - 48 : 0) + carry
            digits.append(sum % 10 + 48)
            carry = sum / 10
        }
        if carry > 0 { digits.append(carry + 48) }
        let text = String(decoding: digits.reversed(), as: UTF8.self)
        let trimmed = text.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }

    static func sum(_ values: [String]) -> String {
        values.reduce("0", add)
    }
}

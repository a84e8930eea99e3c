import ChainETLCore

/// Counts the ERC-20 transfers in raw explorer checkpoint lines (`raw-explorer-row/1`) per
/// (chain, token), for one UTC day, with the same acceptance rules as normalize:
///
/// - tokentx rows (`etherscan-tokentx`, `blockscout-tokentx`): `contractAddress`, decimal `value`
///   and decimal `timeStamp`;
/// - getLogs rows (`etherscan-logs`, `blockscout-logs`): topic0 = `Transfer`, exactly 3 non-null
///   topics and a 32-byte `data` word (the value); `address` is the token; hex `timeStamp`.
///   ERC-721 (4 topics) and other events are excluded.
///
/// A row of another chain or token, or timed outside the day, is `excluded`; a row that cannot be
/// read (normalize would quarantine it) is `invalid`. Neither is counted. Memory: one tally per
/// (chain, token).
struct RawTransferCounter {
    let partition: PartitionDay
    let chains: Set<Int>
    /// Empty: every token.
    let tokens: Set<String>

    private(set) var tallies: [TallyKey: TransferTally] = [:]
    private(set) var rows = 0
    private(set) var counted = 0
    private(set) var excluded = 0
    private(set) var invalid = 0
    /// The line number of the first invalid row, for the stage's details.
    private(set) var firstInvalidLine: Int?

    static let transferTopic = Array("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef".utf8)

    init(partition: PartitionDay, chains: Set<Int>, tokens: Set<String>) {
        self.partition = partition
        self.chains = chains
        self.tokens = tokens
    }

    private enum Verdict {
        case transfer(TallyKey, UInt256)
        case excluded
        case invalid
    }

    /// Counts one checkpoint line (without its newline).
    mutating func add(line: UnsafeRawBufferPointer) throws {
        rows += 1
        switch try read(line) {
        case .transfer(let key, let value):
            var tally = tallies[key, default: TransferTally()]
            tally.count += 1
            guard tally.sum.add(value) else { throw ReconcileError.sumOverflow(token: key.token) }
            tallies[key] = tally
            counted += 1
        case .excluded:
            excluded += 1
        case .invalid:
            invalid += 1
            if firstInvalidLine == nil { firstInvalidLine = rows }
        }
    }

    private func read(_ line: UnsafeRawBufferPointer) throws -> Verdict {
        let scanner = JSONScanner(bytes: line)
        guard let root = try? scanner.root(), root.kind == .object,
            let source = try? scanner.member("source", of: root), source.kind == .string,
            let chainSlice = try? scanner.member("chain_id", of: root), chainSlice.kind == .number,
            let chainID = Int(String(decoding: scanner.rawBytes(chainSlice), as: UTF8.self)),
            let row = try? scanner.member("row", of: root), row.kind == .object
        else { return .invalid }
        guard chains.contains(chainID) else { return .excluded }

        let sourceName = String(decoding: scanner.rawBytes(source), as: UTF8.self)
        let token: String
        let value: UInt256
        let seconds: Int
        switch sourceName {
        case "etherscan-tokentx", "blockscout-tokentx":
            guard let contract = Self.text(scanner, "contractAddress", row),
                let valueText = Self.text(scanner, "value", row), let parsed = UInt256(decimal: valueText),
                let timeText = Self.text(scanner, "timeStamp", row), let time = Int(timeText)
            else { return .invalid }
            token = contract.lowercased()
            value = parsed
            seconds = time
        case "etherscan-logs", "blockscout-logs":
            guard let topics = try? scanner.member("topics", of: row), topics.kind == .array else { return .invalid }
            var count = 0
            var isTransfer = false
            let walked: Void? = try? scanner.forEachElement(of: topics) { topic in
                guard topic.kind == .string else { return true }
                if count == 0 {
                    let bytes = scanner.rawBytes(topic)
                    isTransfer =
                        bytes.count == Self.transferTopic.count
                        && zip(bytes, Self.transferTopic).allSatisfy { $0 | 0x20 == $1 | 0x20 }
                }
                count += 1
                return true
            }
            guard walked != nil else { return .invalid }
            guard isTransfer, count == 3 else { return .excluded }
            guard let address = Self.text(scanner, "address", row), let data = Self.text(scanner, "data", row),
                data.utf8.count == 66, let parsed = UInt256(hex: data),
                let timeText = Self.text(scanner, "timeStamp", row), let time = Self.hexInt(timeText)
            else { return .invalid }
            token = address.lowercased()
            value = parsed
            seconds = time
        default:
            throw ReconcileError.unsupportedSource(sourceName)
        }
        guard ReconcileConfiguration.isAddress(token) else { return .invalid }
        guard tokens.isEmpty || tokens.contains(token) else { return .excluded }
        guard seconds >= partition.startUnixSeconds, seconds < partition.endUnixSeconds else { return .excluded }
        return .transfer(TallyKey(chainID: chainID, token: token), value)
    }

    /// The string member `key` of `object`, or nil when absent, not a string, or escaped.
    private static func text(_ scanner: JSONScanner, _ key: StaticString, _ object: JSONSlice) -> String? {
        guard let slice = try? scanner.member(key, of: object), slice.kind == .string, !scanner.hasEscapes(slice)
        else { return nil }
        return String(decoding: scanner.rawBytes(slice), as: UTF8.self)
    }

    /// `0x`-hex as an Int (`"0x"` is 0).
    private static func hexInt(_ text: String) -> Int? {
        guard text.hasPrefix("0x") else { return nil }
        let digits = text.dropFirst(2)
        return digits.isEmpty ? 0 : Int(digits, radix: 16)
    }
}

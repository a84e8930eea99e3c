import ChainETLCore

/// Counts the ERC-20 transfers in raw explorer checkpoint lines (`raw-explorer-row/1`) per
/// (chain, token) for one UTC day, by running each line through normalize's `TransferNormalizer`
/// (one per chain), so a row counts exactly when normalize would make a transfer record of it.
///
/// Rows of chains not compared, or tokens not compared, are `excluded` along with what normalize
/// excludes (ERC-721, other events); rows normalize would quarantine (bad fields, outside the day)
/// are `quarantined`. Neither is counted. No dedupe: a doubled row counts twice, which is what a
/// reconciliation must see. Memory: one tally per (chain, token).
struct RawTransferCounter {
    let partition: PartitionDay
    let chains: Set<Int>
    /// Empty: every token.
    let tokens: Set<String>

    private(set) var tallies: [TallyKey: TransferTally] = [:]
    private(set) var rows = 0
    private(set) var counted = 0
    private(set) var excluded = 0
    private(set) var quarantined = 0
    /// The line number and reason code of the first quarantined row, for the stage's details.
    private(set) var firstQuarantine: (line: Int, reason: String)?

    /// Extract writes one block-ordered run per target (token or account); the partition
    /// normalizer restarts occurrence counting at each run, as the normalize stage does.
    private var normalizer: PartitionNormalizer
    private var records = JSONLineWriter(capacity: 1024)
    private var quarantine = JSONLineWriter(capacity: 1024)

    init(partition: PartitionDay, chains: Set<Int>, tokens: Set<String>) {
        self.partition = partition
        self.chains = chains
        self.tokens = tokens
        self.normalizer = PartitionNormalizer(
            partition: partition, selected: chains.sorted().map { (chainID: $0, tokens: TokenMetadataLookup()) },
            otherChains: [])
    }

    /// Counts one checkpoint line (without its newline).
    ///
    /// - Throws: `NormalizeError.blockOutOfOrder` when the rows of one extraction run (one target) are not sorted by
    ///   block (as extract writes them), since occurrences could then not be told apart.
    mutating func add(line: UnsafeRawBufferPointer) throws {
        rows += 1
        guard let chainID = Self.chainID(of: line) else {
            // Not readable as a raw line: normalize quarantines it whatever its chain.
            return note(quarantine: "invalid_envelope")
        }
        guard chains.contains(chainID) else {
            excluded += 1
            return
        }
        records.reset()
        quarantine.reset()
        let result = try normalizer.normalize(
            line: line, lineNumber: rows, records: &records, quarantine: &quarantine)
        switch result.outcome {
        case .record:
            guard let (token, value) = Self.tokenAndValue(records.bytes) else {
                return note(quarantine: "unreadable_record")
            }
            guard tokens.isEmpty || tokens.contains(token) else {
                excluded += 1
                return
            }
            let key = TallyKey(chainID: chainID, token: token)
            var tally = tallies[key, default: TransferTally()]
            tally.count += 1
            guard tally.sum.add(value) else { throw ReconcileError.sumOverflow(token: token) }
            tallies[key] = tally
            counted += 1
        case .excluded, .duplicate:
            // A repeat of one log (same transaction and logIndex) is no further transfer.
            excluded += 1
        case .quarantined(let reason):
            note(quarantine: reason.code)
        }
    }

    private mutating func note(quarantine reason: String) {
        quarantined += 1
        if firstQuarantine == nil { firstQuarantine = (rows, reason) }
    }

    /// The envelope's `chain_id`, or nil when the line is not a JSON object with an integer one.
    private static func chainID(of line: UnsafeRawBufferPointer) -> Int? {
        let scanner = JSONScanner(bytes: line)
        guard let root = try? scanner.root(), root.kind == .object,
            let slice = try? scanner.member("chain_id", of: root), slice.kind == .number
        else { return nil }
        return Int(String(decoding: scanner.rawBytes(slice), as: UTF8.self))
    }

    /// `token_address` and `value` of a `transfer/1` record line.
    private static func tokenAndValue(_ bytes: [UInt8]) -> (String, UInt256)? {
        bytes.withUnsafeBytes { buffer -> (String, UInt256)? in
            let scanner = JSONScanner(bytes: buffer)
            guard let root = try? scanner.root(), root.kind == .object,
                let token = try? scanner.member("token_address", of: root), token.kind == .string,
                let value = try? scanner.member("value", of: root), value.kind == .string,
                let amount = UInt256(decimal: String(decoding: scanner.rawBytes(value), as: UTF8.self))
            else { return nil }
            return (String(decoding: scanner.rawBytes(token), as: UTF8.self), amount)
        }
    }
}

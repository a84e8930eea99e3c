import ChainETLCore

/// Turns raw explorer checkpoint lines into canonical transfer records (SPEC §6), one line at a
/// time: the normalize stage's hot path.
///
/// Each line is scanned once at the byte level (no `JSONDecoder`, no tree), validated, and either
/// written as a `transfer/1` record, written to quarantine with a reason, or excluded as not an
/// ERC-20 transfer. Nothing per row allocates once the reusable buffers have grown.
///
/// A row repeating a log already seen (same transaction and `logIndex`, for sources that carry
/// it) is counted in `duplicates` and written nowhere; rows without `logIndex` keep SPEC §6's
/// identity rule unchanged.
///
/// Occurrences are counted per block, so each input must be sorted by block ascending (extract
/// writes it that way); call `beginInput()` before each further input. A valid row whose block is
/// lower than the previous one fails with `NormalizeError.blockOutOfOrder` rather than risk
/// wrong identities.
///
/// Token symbol, name and decimals come from the row for tokentx and Blockscout v2 sources (`""`
/// becomes null) and from `tokens` for log sources, whose rows carry none. Blockscout v2 rows
/// (`RowReader+BlockscoutV2`) have checksummed addresses, nested `from`/`to`/`token`/`total`
/// objects and an ISO timestamp; their ISO parse allocates a string per row.
public struct TransferNormalizer: Sendable {
    /// The chain this partition belongs to; lines with another `chain_id` are quarantined.
    public let chainID: Int
    /// The UTC day of this partition; rows timed on another day are quarantined.
    public let partition: PartitionDay
    /// Metadata for log sources, by token address.
    public let tokens: TokenMetadataLookup
    /// Rows in, out, quarantined, excluded and duplicated (repeats of one log) so far.
    public private(set) var counts = NormalizeCounts()

    private var builder = TransferRecordBuilder()
    private var occurrences = OccurrenceCounter()
    /// Counts (tx hash, log index) pairs per block: a second copy of one log is a duplicate.
    private var logCopies = OccurrenceCounter()
    private var logKey: [UInt8] = []
    private let chainIDText: [UInt8]

    /// 2015-07-30T00:00:00Z, the day Ethereum's genesis block was mined: no block is older.
    static let earliestTimestamp = 1_438_214_400
    /// topic0 of `Transfer(address,address,uint256)`.
    static let transferTopic: StaticString = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"

    public init(chainID: Int, partition: PartitionDay, tokens: TokenMetadataLookup = TokenMetadataLookup()) {
        self.chainID = chainID
        self.partition = partition
        self.tokens = tokens
        self.chainIDText = Array(String(chainID).utf8)
    }

    /// Starts a further input: occurrence counting restarts, since each input is sorted on its own.
    public mutating func beginInput() {
        occurrences.reset()
        logCopies.reset()
    }

    /// Normalizes one raw line (without its newline): appends a record line to `records`, or a
    /// quarantine line to `quarantine`, or nothing for an excluded row, and updates `counts`.
    ///
    /// - Parameter lineNumber: the line's 1-based number in its input, written to quarantine lines.
    /// - Throws: `NormalizeError.blockOutOfOrder` when the input is not sorted by block.
    @discardableResult
    public mutating func normalize(
        line: UnsafeRawBufferPointer, lineNumber: Int, records: inout JSONLineWriter,
        quarantine: inout JSONLineWriter
    ) throws -> NormalizeOutcome {
        let scanner = JSONScanner(bytes: line)
        let envelope: RawLineWalker.Envelope
        do {
            envelope = try RawLineWalker(scanner: scanner).walk()
        } catch {
            counts.rowsIn += 1
            return recordQuarantine(
                Self.invalidJSON(line, error), lineNumber: lineNumber, raw: line, rawIsJSON: false, into: &quarantine)
        }
        return try normalize(
            walked: envelope, scanner: scanner, line: line, lineNumber: lineNumber, records: &records,
            quarantine: &quarantine)
    }

    /// The quarantine reason of a line `RawLineWalker` could not parse.
    static func invalidJSON(_ line: UnsafeRawBufferPointer, _ error: any Error) -> QuarantineReason {
        .invalidJSON(detail: line.isEmpty ? "the line is empty" : String(describing: error))
    }

    /// Normalizes a line the caller already walked (the normalize stage walks each line once to
    /// route it by chain and extraction target); see `normalize(line:lineNumber:records:quarantine:)`.
    mutating func normalize(
        walked envelope: RawLineWalker.Envelope, scanner: JSONScanner, line: UnsafeRawBufferPointer, lineNumber: Int,
        records: inout JSONLineWriter, quarantine: inout JSONLineWriter
    ) throws -> NormalizeOutcome {
        counts.rowsIn += 1
        do throws(RowRejection) {
            try read(envelope, in: scanner)
        } catch {
            switch error {
            case .quarantine(let reason):
                let raw = UnsafeRawBufferPointer(rebasing: line[envelope.root.range])
                return recordQuarantine(reason, lineNumber: lineNumber, raw: raw, rawIsJSON: true, into: &quarantine)
            case .exclude(let reason):
                counts.excluded += 1
                counts.excludedByReason[reason.code, default: 0] += 1
                return .excluded(reason)
            }
        }
        if let logIndex = builder.logIndex, try isRepeatedLog(logIndex: logIndex, lineNumber: lineNumber) {
            counts.duplicates += 1
            return .duplicate
        }
        builder.assembleIdentityPrefix()
        let occurrence = try builder.identityText.withUnsafeBytes { tuple in
            try occurrences.next(tuple: tuple, block: builder.blockNumber, line: lineNumber)
        }
        builder.finishIdentity(occurrence: occurrence)
        builder.write(into: &records)
        counts.rowsOut += 1
        return .record
    }

    /// Whether this log (transaction and `logIndex`) was already normalized in this block of the
    /// run: an explorer may send one log twice (on two pages, or twice in one page). Such a
    /// repeat is one log, not a second transfer, so it must not raise `occurrence`. Two different
    /// logs with identical token, accounts and value have different log indexes and both count.
    private mutating func isRepeatedLog(logIndex: Int, lineNumber: Int) throws -> Bool {
        logKey.removeAll(keepingCapacity: true)
        logKey.append(contentsOf: builder.txHash)
        logKey.append(UInt8(ascii: "|"))
        var index = logIndex
        repeat {
            logKey.append(UInt8(truncatingIfNeeded: index % 10) + UInt8(ascii: "0"))
            index /= 10
        } while index > 0
        let copy = try logKey.withUnsafeBytes { key in
            try logCopies.next(tuple: key, block: builder.blockNumber, line: lineNumber)
        }
        return copy > 0
    }

    /// Normalizes one raw line held in an array; see `normalize(line:lineNumber:records:quarantine:)`.
    @discardableResult
    public mutating func normalize(
        line: [UInt8], lineNumber: Int, records: inout JSONLineWriter, quarantine: inout JSONLineWriter
    ) throws -> NormalizeOutcome {
        try line.withUnsafeBytes {
            try normalize(line: $0, lineNumber: lineNumber, records: &records, quarantine: &quarantine)
        }
    }

    private mutating func recordQuarantine(
        _ reason: QuarantineReason, lineNumber: Int, raw: UnsafeRawBufferPointer, rawIsJSON: Bool,
        into quarantine: inout JSONLineWriter
    ) -> NormalizeOutcome {
        counts.quarantined += 1
        counts.quarantinedByReason[reason.code, default: 0] += 1
        QuarantineLine.write(reason: reason, lineNumber: lineNumber, raw: raw, rawIsJSON: rawIsJSON, into: &quarantine)
        return .quarantined(reason: reason)
    }

    // MARK: - Envelope

    /// Reads the envelope and the row into `builder`, or says why the row is not a record.
    private mutating func read(_ envelope: RawLineWalker.Envelope, in scanner: JSONScanner) throws(RowRejection) {
        guard envelope.root.kind == .object else {
            throw .quarantine(.invalidEnvelope(detail: "the line is a json \(envelope.root.kind), not an object"))
        }
        guard let sourceSlice = envelope.source else { throw .quarantine(.invalidEnvelope(detail: "no \"source\"")) }
        guard sourceSlice.kind == .string else {
            throw .quarantine(.invalidEnvelope(detail: "\"source\" is not a string"))
        }
        guard let source = TransferSource(utf8: scanner.rawBytes(sourceSlice)) else {
            throw .quarantine(.unknownSource(String(decoding: scanner.rawBytes(sourceSlice), as: UTF8.self)))
        }
        guard let chainSlice = envelope.chainID else { throw .quarantine(.invalidEnvelope(detail: "no \"chain_id\"")) }
        guard scanner.rawBytes(chainSlice).elementsEqual(chainIDText), chainSlice.kind == .number else {
            let found = String(decoding: scanner.bytes[chainSlice.range], as: UTF8.self)
            throw .quarantine(.chainIDMismatch(expected: chainID, found: found))
        }
        guard let row = envelope.row, row.kind == .object else { throw .quarantine(.missingRow) }

        builder.reset()
        builder.chainID = chainID
        builder.source = source
        let reader = RowReader(scanner: scanner, fields: envelope.fields, source: source)
        switch source {
        case .etherscanLogs, .blockscoutLogs:
            try reader.readLog(into: &builder)
            if let entry = builder.tokenAddress.withUnsafeBytes({ tokens.entry(forHexAddress: $0) }) {
                builder.hasTokenSymbol = entry.symbol != nil
                builder.tokenSymbol.append(contentsOf: entry.symbol ?? [])
                builder.hasTokenName = entry.name != nil
                builder.tokenName.append(contentsOf: entry.name ?? [])
                builder.tokenDecimals = entry.decimals
            }
        case .etherscanTokentx, .blockscoutTokentx:
            try reader.readTokenTransfer(into: &builder)
        case .blockscoutV2:
            try reader.readBlockscoutV2(into: &builder)
        }
        try checkTime(builder.blockTime)
    }

    /// Sane (2015-07-30 … partition end + 1 day) and inside the partition's day.
    private func checkTime(_ seconds: Int) throws(RowRejection) {
        guard seconds >= Self.earliestTimestamp, seconds <= partition.endUnixSeconds + 86_400 else {
            throw .quarantine(.timestampOutOfRange(unixSeconds: seconds))
        }
        guard seconds >= partition.startUnixSeconds, seconds < partition.endUnixSeconds else {
            throw .quarantine(
                .blockTimeOutsidePartition(
                    blockTime: BlockTimeText.text(unixSeconds: seconds), partition: partition.description))
        }
    }
}

import ChainETLCore
import Foundation

/// Normalizes the raw lines of one partition, whatever chains and extraction targets they mix:
/// the normalize stage's per-line driver around `TransferNormalizer`.
///
/// Each line is walked once. Its `chain_id` picks that chain's `TransferNormalizer` (one per
/// chain, all writing to the same output). Its run key — `source`, `chain_id` and the request's
/// `contract` and `address` — names the extraction target it came from: extract writes each
/// target's rows as one run in ascending block order, one target after another, so block numbers
/// go back at every target boundary. A new run restarts the chain's occurrence counting
/// (`beginInput()`) and is reported so the stage can start a new output part; inside a run, a
/// block going backwards still fails (`NormalizeError.blockOutOfOrder`). Identical transfers of
/// one transaction always share token and accounts, hence the run of any target that lists one of
/// them, so per-run counting gives every copy the same occurrence as a whole-block count would.
///
/// Lines that cannot be routed are handled here: unparsable lines and lines without a numeric
/// `chain_id` are quarantined, as are chains the pipeline does not declare; chains the pipeline
/// declares but the stage does not select are excluded (`chain_not_selected`).
struct PartitionNormalizer {
    /// What happened to one line.
    struct LineResult {
        var outcome: NormalizeOutcome
        /// The line starts a new run (the previous line, if any, came from another target or input).
        var startsRun: Bool
    }

    private struct Chain {
        var id: Int
        var text: [UInt8]
        /// Index into `normalizers`, or nil for a declared chain the stage does not select.
        var normalizer: Int?
    }

    private var chains: [Chain]
    private var normalizers: [TransferNormalizer]
    /// Rows quarantined or excluded before reaching a chain's normalizer.
    private var unrouted = NormalizeCounts()
    private var runKey: [UInt8] = []
    private var candidateKey: [UInt8] = []
    /// The previous line's `source`, `chain_id` and `request` bytes: the run key is a function of
    /// them, and consecutive lines of one page share them, so an equal envelope is the same run.
    private var previousEnvelope: [UInt8] = []
    private var hasRun = false
    private let knownChainIDs: [Int]
    /// Runs seen so far.
    private(set) var runs = 0

    /// - Parameters:
    ///   - selected: the chains to normalize, with their token metadata.
    ///   - otherChains: the pipeline's other chain ids (their rows are excluded, not quarantined).
    init(partition: PartitionDay, selected: [(chainID: Int, tokens: TokenMetadataLookup)], otherChains: [Int]) {
        var chains: [Chain] = []
        var normalizers: [TransferNormalizer] = []
        for entry in selected where !chains.contains(where: { $0.id == entry.chainID }) {
            chains.append(
                Chain(id: entry.chainID, text: Array(String(entry.chainID).utf8), normalizer: normalizers.count))
            normalizers.append(TransferNormalizer(chainID: entry.chainID, partition: partition, tokens: entry.tokens))
        }
        for id in otherChains where !chains.contains(where: { $0.id == id }) {
            chains.append(Chain(id: id, text: Array(String(id).utf8), normalizer: nil))
        }
        self.chains = chains
        self.normalizers = normalizers
        self.knownChainIDs = chains.map(\.id).sorted()
        runKey.reserveCapacity(256)
        candidateKey.reserveCapacity(256)
        previousEnvelope.reserveCapacity(512)
    }

    /// Rows in, out, quarantined and excluded so far, over every chain.
    var counts: NormalizeCounts {
        var total = unrouted
        for normalizer in normalizers { total.add(normalizer.counts) }
        return total
    }

    /// Rows written per chain id so far.
    var rowsOutByChain: [Int: Int] {
        var result: [Int: Int] = [:]
        for normalizer in normalizers { result[normalizer.chainID] = normalizer.counts.rowsOut }
        return result
    }

    /// Starts a further input checkpoint: its first line starts a new run.
    mutating func beginInput() {
        hasRun = false
        runKey.removeAll(keepingCapacity: true)
        previousEnvelope.removeAll(keepingCapacity: true)
    }

    /// Normalizes one raw line (without its newline) into `records` or `quarantine`.
    ///
    /// - Throws: `NormalizeError.blockOutOfOrder` when a run's blocks go backwards.
    mutating func normalize(
        line: UnsafeRawBufferPointer, lineNumber: Int, records: inout JSONLineWriter,
        quarantine: inout JSONLineWriter
    ) throws -> LineResult {
        let scanner = JSONScanner(bytes: line)
        let envelope: RawLineWalker.Envelope
        do {
            envelope = try RawLineWalker(scanner: scanner).walk()
        } catch {
            let reason = TransferNormalizer.invalidJSON(line, error)
            return quarantineUnrouted(reason, line: line, lineNumber: lineNumber, rawIsJSON: false, into: &quarantine)
        }
        let root = UnsafeRawBufferPointer(rebasing: line[envelope.root.range])
        guard envelope.root.kind == .object else {
            let reason = QuarantineReason.invalidEnvelope(
                detail: "the line is a json \(envelope.root.kind), not an object")
            return quarantineUnrouted(
                reason, line: root, lineNumber: lineNumber, rawIsJSON: true, into: &quarantine)
        }
        guard let chainSlice = envelope.chainID, chainSlice.kind == .number else {
            let detail = envelope.chainID == nil ? "no \"chain_id\"" : "\"chain_id\" is not a number"
            return quarantineUnrouted(
                .invalidEnvelope(detail: detail), line: root, lineNumber: lineNumber, rawIsJSON: true,
                into: &quarantine)
        }
        let chainText = scanner.rawBytes(chainSlice)
        guard let chain = chains.firstIndex(where: { $0.text.elementsEqual(chainText) }) else {
            let reason = QuarantineReason.unknownChain(
                found: String(decoding: chainText, as: UTF8.self), known: knownChainIDs)
            return quarantineUnrouted(reason, line: root, lineNumber: lineNumber, rawIsJSON: true, into: &quarantine)
        }
        guard let index = chains[chain].normalizer else {
            unrouted.rowsIn += 1
            unrouted.excluded += 1
            unrouted.excludedByReason[ExclusionReason.chainNotSelected.code, default: 0] += 1
            return LineResult(outcome: .excluded(.chainNotSelected), startsRun: false)
        }
        let startsRun = try enterRun(envelope, scanner: scanner)
        if startsRun { normalizers[index].beginInput() }
        let outcome = try normalizers[index].normalize(
            walked: envelope, scanner: scanner, line: line, lineNumber: lineNumber, records: &records,
            quarantine: &quarantine)
        return LineResult(outcome: outcome, startsRun: startsRun)
    }

    /// Builds the line's run key; returns whether it differs from the current run's.
    private mutating func enterRun(_ envelope: RawLineWalker.Envelope, scanner: JSONScanner) throws -> Bool {
        let source = envelope.source?.range ?? 0..<0
        let chain = envelope.chainID?.range ?? 0..<0
        let request = envelope.request?.range ?? 0..<0
        if hasRun && Self.envelope(previousEnvelope, equals: (source, chain, request), in: scanner.bytes) {
            return false
        }
        previousEnvelope.removeAll(keepingCapacity: true)
        previousEnvelope.append(contentsOf: scanner.bytes[source])
        previousEnvelope.append(0x1F)
        previousEnvelope.append(contentsOf: scanner.bytes[chain])
        previousEnvelope.append(0x1F)
        previousEnvelope.append(contentsOf: scanner.bytes[request])
        candidateKey.removeAll(keepingCapacity: true)
        if let source = envelope.source { candidateKey.append(contentsOf: scanner.rawBytes(source)) }
        candidateKey.append(0x1F)
        if let chain = envelope.chainID { candidateKey.append(contentsOf: scanner.rawBytes(chain)) }
        if let request = envelope.request, request.kind == .object {
            try scanner.forEachMember(of: request) { key, value in
                if scanner.equals(key, "contract") || scanner.equals(key, "address") {
                    candidateKey.append(0x1F)
                    candidateKey.append(contentsOf: scanner.bytes[key])
                    candidateKey.append(0x1E)
                    candidateKey.append(contentsOf: scanner.rawBytes(value))
                }
                return true
            }
        }
        if hasRun && candidateKey == runKey { return false }
        swap(&runKey, &candidateKey)
        hasRun = true
        runs += 1
        return true
    }

    /// Whether `stored` holds the byte ranges `parts` of `line` joined by 0x1F, compared in place
    /// (most lines share their page's envelope, so this is the common case and copies nothing).
    private static func envelope(
        _ stored: [UInt8], equals parts: (Range<Int>, Range<Int>, Range<Int>), in line: UnsafeRawBufferPointer
    ) -> Bool {
        let (first, second, third) = parts
        guard stored.count == first.count + second.count + third.count + 2 else { return false }
        return stored.withUnsafeBytes { stored in
            func same(_ range: Range<Int>, at offset: Int) -> Bool {
                range.isEmpty
                    || memcmp(stored.baseAddress! + offset, line.baseAddress! + range.lowerBound, range.count) == 0
            }
            return stored[first.count] == 0x1F && stored[first.count + 1 + second.count] == 0x1F
                && same(first, at: 0) && same(second, at: first.count + 1)
                && same(third, at: first.count + second.count + 2)
        }
    }

    private mutating func quarantineUnrouted(
        _ reason: QuarantineReason, line: UnsafeRawBufferPointer, lineNumber: Int, rawIsJSON: Bool,
        into quarantine: inout JSONLineWriter
    ) -> LineResult {
        unrouted.rowsIn += 1
        unrouted.quarantined += 1
        unrouted.quarantinedByReason[reason.code, default: 0] += 1
        QuarantineLine.write(reason: reason, lineNumber: lineNumber, raw: line, rawIsJSON: rawIsJSON, into: &quarantine)
        return LineResult(outcome: .quarantined(reason: reason), startsRun: false)
    }
}

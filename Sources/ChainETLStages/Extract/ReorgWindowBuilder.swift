import ChainETLCore

/// Builds a `ReorgWindow` from raw checkpoint lines (`raw-explorer-row/1`) the way normalize reads
/// them: each line goes through `TransferNormalizer` for the window's day, so only what normalize
/// would load counts (ERC-721 and other events are excluded, rows timed on another day ignored).
///
/// Lines must arrive in block order per input; call `beginInput()` before each further input.
struct ReorgWindowBuilder {
    let blocks: ClosedRange<Int>
    private(set) var window = ReorgWindow()
    private var normalizer: TransferNormalizer
    private var records = JSONLineWriter(capacity: 1024)
    private var quarantine = JSONLineWriter(capacity: 1024)
    private var lineNumber = 0

    init(chainID: Int, day: PartitionDay, blocks: ClosedRange<Int>) {
        self.blocks = blocks
        normalizer = TransferNormalizer(chainID: chainID, partition: day)
    }

    mutating func beginInput() {
        normalizer.beginInput()
    }

    /// Adds one raw line (newline optional).
    mutating func add(line: UnsafeRawBufferPointer) throws {
        lineNumber += 1
        records.reset()
        quarantine.reset()
        guard
            case .record = try normalizer.normalize(
                line: line, lineNumber: lineNumber, records: &records, quarantine: &quarantine)
        else { return }
        let record = try records.bytes.withUnsafeBytes { try TransferRecord(parsing: $0) }
        guard blocks.contains(record.blockNumber) else { return }
        window.add(
            block: record.blockNumber, hash: record.blockHash, transferID: record.transferID,
            token: record.tokenAddress)
    }
}

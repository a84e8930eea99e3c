import ChainETLCore

/// Drops repeated `transfer_id`s within one partition, across one or more canonical inputs that
/// are each sorted by `block_number`.
///
/// The inputs are merged by block (k-way, ties kept in input order then line order), so every
/// row of a block from every input passes consecutively and a per-block seen-set finds all
/// duplicates: a transfer belongs to one transaction, hence to one block. Memory holds one line
/// per input plus one block's ids, whatever the input size. Output is sorted by block.
public struct TransferDeduplicator: Sendable {
    /// Rows in, out and duplicates so far.
    public private(set) var counts = NormalizeCounts()

    public init() {}

    /// Merges `inputs`, calling `emit` with each first-seen record line (without newline), in
    /// block order. Throws `DedupeError` for an unsorted input or a malformed line, and passes on
    /// errors from the inputs and from `emit`.
    public mutating func deduplicate<Source: RecordLineSource>(
        _ inputs: [Source], emit: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var heads = inputs.map { Head(source: $0) }
        for index in heads.indices { try heads[index].advance() }
        var seen = Set<TransferKey>()
        var currentBlock: Int?
        while true {
            var lowest: Int?
            for head in heads where !head.isExhausted {
                if lowest == nil || head.block < lowest! { lowest = head.block }
            }
            guard let block = lowest else { break }
            if block != currentBlock {
                seen.removeAll(keepingCapacity: true)
                currentBlock = block
            }
            for index in heads.indices {
                while !heads[index].isExhausted, heads[index].block == block {
                    counts.rowsIn += 1
                    if seen.insert(heads[index].key).inserted {
                        counts.rowsOut += 1
                        try heads[index].line.withUnsafeBytes { try emit($0) }
                    } else {
                        counts.duplicates += 1
                    }
                    try heads[index].advance()
                }
            }
        }
    }

    /// Merges `inputs` into `output` as NDJSON (one record per line).
    public mutating func deduplicate<Source: RecordLineSource>(_ inputs: [Source], into output: inout JSONLineWriter)
        throws
    {
        try deduplicate(inputs) { line in
            output.raw(line)
            output.newline()
        }
    }
}

/// A `transfer_id` as two integers: hashing it needs no String.
struct TransferKey: Hashable, Sendable {
    var high: UInt64
    var low: UInt64
}

/// One input's current line, with its block and id parsed.
private struct Head<Source: RecordLineSource> {
    var source: Source
    var line: [UInt8] = []
    var lineNumber = 0
    var block = 0
    var key = TransferKey(high: 0, low: 0)
    var isExhausted = false

    init(source: Source) {
        self.source = source
        line.reserveCapacity(1024)
    }

    /// Reads the next line; checks that blocks do not go down.
    mutating func advance() throws {
        let previousBlock = lineNumber == 0 ? nil : block
        guard try source.nextLine(into: &line) else {
            isExhausted = true
            return
        }
        lineNumber += 1
        do {
            try parse()
            if let previousBlock, block < previousBlock {
                throw DedupeError.inputNotSorted(
                    input: source.name, line: lineNumber, block: block, previousBlock: previousBlock)
            }
        } catch let error as DedupeError {
            try source.checkIntegrity()
            throw error
        }
    }

    private mutating func parse() throws {
        var block: Int?
        var key: TransferKey?
        var problem: String?
        do {
            try line.withUnsafeBytes { bytes in
                let scanner = JSONScanner(bytes: bytes)
                let root = try scanner.root()
                guard root.kind == .object else {
                    problem = "not a json object"
                    return
                }
                try scanner.forEachMember(of: root) { name, value in
                    if scanner.equals(name, "transfer_id") {
                        key = value.kind == .string ? Self.transferKey(scanner.rawBytes(value)) : nil
                        if key == nil { problem = "transfer_id is not 32 hex digits" }
                    } else if scanner.equals(name, "block_number") {
                        if value.kind == .number, case .some(let number) = Self.integer(scanner.rawBytes(value)) {
                            block = number
                        } else {
                            problem = "block_number is not a non-negative integer"
                        }
                    }
                    return problem == nil && (block == nil || key == nil)
                }
            }
        } catch {
            problem = "not valid json: \(error)"
        }
        if let problem { throw DedupeError.malformedRecord(input: source.name, line: lineNumber, detail: problem) }
        guard let block else {
            throw DedupeError.malformedRecord(input: source.name, line: lineNumber, detail: "no block_number")
        }
        guard let key else {
            throw DedupeError.malformedRecord(input: source.name, line: lineNumber, detail: "no transfer_id")
        }
        self.block = block
        self.key = key
    }

    private static func transferKey(_ text: UnsafeRawBufferPointer) -> TransferKey? {
        guard text.count == 32 else { return nil }
        var words: (UInt64, UInt64) = (0, 0)
        for index in 0..<32 {
            guard let digit = HexText.digitValue(text[index]) else { return nil }
            if index < 16 { words.0 = words.0 << 4 | digit } else { words.1 = words.1 << 4 | digit }
        }
        return TransferKey(high: words.0, low: words.1)
    }

    private static func integer(_ text: UnsafeRawBufferPointer) -> Int? {
        if case .value(let number) = HexText.int(decimal: text) { return number }
        return nil
    }
}

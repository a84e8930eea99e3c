import ChainETLCore

/// How the lines of a checkpoint are keyed for a rerun diff, chosen by its record schema.
///
/// - `transfer/1`: the `transfer_id` field; any other byte difference makes the row "changed".
/// - `raw-explorer-row/1`: `source:chain_id:tx_hash:log_index` when the row has a log index, else
///   `source:chain_id:tx_hash:contract:from:to:value` (tokentx rows have no log index). The content
///   compared is the row without `confirmations` (it moves with the head) and without the envelope's
///   `request` (fetch time, page), so a re-extraction of identical data shows no change.
/// - anything else: the whole line is the key (`line:<digest>`), so "changed" is always 0.
///
/// A key may repeat (two identical tokentx transfers in one transaction); the diff matches
/// repeats in order and shows the n-th repeat as `key#n`.
enum DiffKeying: String, Sendable, Equatable {
    case transferID = "transfer_id"
    case rawExplorerRow = "source:chain_id:tx_hash:log_index (or contract:from:to:value without a log index)"
    case wholeLine = "whole line"

    init(recordSchema: RecordSchema) {
        switch recordSchema {
        case .transfer: self = .transferID
        case .rawExplorerRow: self = .rawExplorerRow
        default: self = .wholeLine
        }
    }

    /// Writes the key of `line` into `key` (replacing its content) and returns the content digest.
    ///
    /// A line the keying cannot read (not JSON, field missing) is keyed by its whole bytes.
    func entry(of line: UnsafeRawBufferPointer, key: inout [UInt8]) -> DiffDigest {
        key.removeAll(keepingCapacity: true)
        switch self {
        case .transferID:
            if let digest = Self.transferEntry(line, key: &key) { return digest }
        case .rawExplorerRow:
            if let digest = Self.rawRowEntry(line, key: &key) { return digest }
        case .wholeLine:
            break
        }
        key.removeAll(keepingCapacity: true)
        let digest = DiffDigest.of(line)
        key.append(contentsOf: Array("line:".utf8))
        key.append(contentsOf: Array(digest.hex.utf8))
        return digest
    }

    private static func transferEntry(_ line: UnsafeRawBufferPointer, key: inout [UInt8]) -> DiffDigest? {
        let scanner = JSONScanner(bytes: line)
        guard let root = try? scanner.root(), root.kind == .object,
            let id = try? scanner.member("transfer_id", of: root), id.kind == .string
        else { return nil }
        key.append(contentsOf: scanner.rawBytes(id))
        guard !key.isEmpty else { return nil }
        return DiffDigest.of(line)
    }

    private static func rawRowEntry(_ line: UnsafeRawBufferPointer, key: inout [UInt8]) -> DiffDigest? {
        let scanner = JSONScanner(bytes: line)
        guard let root = try? scanner.root(), root.kind == .object,
            let source = try? scanner.member("source", of: root), source.kind == .string,
            let chain = try? scanner.member("chain_id", of: root),
            let row = try? scanner.member("row", of: root), row.kind == .object
        else { return nil }

        var hash: JSONSlice?
        var logIndex: JSONSlice?
        var contract: JSONSlice?
        var from: JSONSlice?
        var to: JSONSlice?
        var value: JSONSlice?
        var content = DiffDigest.Builder()
        let walked: Void? = try? scanner.forEachMember(of: row) { name, member in
            if scanner.equals(name, "confirmations") { return true }
            if scanner.equals(name, "transactionHash") || scanner.equals(name, "hash")
                || scanner.equals(name, "transaction_hash")
            {
                if hash == nil { hash = member }
            } else if scanner.equals(name, "logIndex") || scanner.equals(name, "log_index") {
                logIndex = member
            } else if scanner.equals(name, "contractAddress") {
                contract = member
            } else if scanner.equals(name, "from") {
                from = member
            } else if scanner.equals(name, "to") {
                to = member
            } else if scanner.equals(name, "value") {
                value = member
            }
            content.add(UnsafeRawBufferPointer(rebasing: line[name]))
            content.separate()
            content.add(UnsafeRawBufferPointer(rebasing: line[member.range]))
            content.separate()
            return true
        }
        guard walked != nil, let hash, hash.kind == .string else { return nil }

        func field(_ slice: JSONSlice?) {
            key.append(UInt8(ascii: ":"))
            if let slice { key.append(contentsOf: scanner.rawBytes(slice)) }
        }
        key.append(contentsOf: scanner.rawBytes(source))
        field(chain)
        field(hash)
        if let logIndex, let index = normalizedIndex(scanner.rawBytes(logIndex)) {
            key.append(UInt8(ascii: ":"))
            key.append(contentsOf: Array(String(index).utf8))
        } else {
            field(contract)
            field(from)
            field(to)
            field(value)
        }
        return content.finish()
    }

    /// A log index as decimal: `"0x9d"` -> 157, `"0x"` -> 0, `"12"` -> 12; nil when empty or unreadable.
    static func normalizedIndex(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard !bytes.isEmpty else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            let digits = text.dropFirst(2)
            return digits.isEmpty ? 0 : UInt64(digits, radix: 16)
        }
        return UInt64(text)
    }
}

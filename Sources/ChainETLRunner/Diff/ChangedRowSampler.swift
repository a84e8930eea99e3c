import ChainETLCore

/// Which columns a changed row changed, with before/after values, for a bounded sample of a
/// diff's changed ids.
///
/// After the keyed diff has found the changed ids, both checkpoints are streamed once more and
/// only the lines of the sampled ids are kept (at most `limit` per side), so memory stays bounded
/// by the sample whatever the checkpoint size. Columns are the line's top-level fields and, for
/// an object field, its members one level down (`row.tokenSymbol`); values are the exact JSON
/// text (`"USDC"`, `6`, `null`), cut at `valueLimit` characters. Fields the keying ignores
/// (`confirmations`, the envelope's `request`) are ignored here too.
struct ChangedRowSampler {
    var keying: DiffKeying
    /// Changed rows sampled (the first ones the diff met).
    var limit = 5
    /// Longer values are cut, with `…`.
    var valueLimit = 200

    /// Column changes of the first `limit` of `ids` (`key` or `key#n` as the diff reports them).
    func sample(
        ids: [String], previous: CheckpointDirectoryLines, current: CheckpointDirectoryLines
    ) throws -> [UnitDiff.ChangedRow] {
        let wanted = Array(ids.prefix(limit)).map(Self.parse)
        guard !wanted.isEmpty else { return [] }
        let before = try lines(of: wanted, in: previous)
        let after = try lines(of: wanted, in: current)
        return wanted.enumerated().compactMap { position, target in
            guard let old = before[position], let new = after[position] else { return nil }
            let oldColumns = columns(of: old)
            let newColumns = columns(of: new)
            var changes: [UnitDiff.ColumnChange] = []
            var seen = Set<String>()
            for column in oldColumns + newColumns where seen.insert(column.name).inserted {
                let name = column.name
                let oldValue = oldColumns.first { $0.name == name }?.value
                let newValue = newColumns.first { $0.name == name }?.value
                if oldValue != newValue {
                    changes.append(
                        UnitDiff.ColumnChange(column: name, before: oldValue.map(cut), after: newValue.map(cut)))
                }
            }
            let id = target.ordinal > 0 ? "\(target.key)#\(target.ordinal)" : target.key
            return UnitDiff.ChangedRow(id: id, columns: changes)
        }
    }

    /// `key#3` -> (`key`, 3); an id without a numeric `#n` suffix is the key itself.
    static func parse(_ id: String) -> (key: String, ordinal: Int) {
        if let hash = id.lastIndex(of: "#"), let ordinal = Int(id[id.index(after: hash)...]), ordinal > 0 {
            return (String(id[..<hash]), ordinal)
        }
        return (id, 0)
    }

    /// The line of each wanted (key, ordinal), by position in `wanted`.
    private func lines(
        of wanted: [(key: String, ordinal: Int)], in side: CheckpointDirectoryLines
    ) throws -> [Int: [UInt8]] {
        var positions: [String: [(ordinal: Int, position: Int)]] = [:]
        for (position, target) in wanted.enumerated() {
            positions[target.key, default: []].append((target.ordinal, position))
        }
        var seen: [String: Int] = [:]
        var found: [Int: [UInt8]] = [:]
        var key: [UInt8] = []
        try side.forEachLine { line in
            guard found.count < wanted.count else { return }
            _ = keying.entry(of: line, key: &key)
            let text = String(decoding: key, as: UTF8.self)
            guard let targets = positions[text] else { return }
            let ordinal = seen[text, default: 0]
            seen[text] = ordinal + 1
            if let match = targets.first(where: { $0.ordinal == ordinal }) {
                found[match.position] = Array(line)
            }
        }
        return found
    }

    /// The line's columns in order, as (name, exact JSON text).
    private func columns(of line: [UInt8]) -> [(name: String, value: String)] {
        line.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> [(name: String, value: String)] in
            let scanner = JSONScanner(bytes: bytes)
            guard let root = try? scanner.root(), root.kind == .object else {
                return [("line", String(decoding: bytes, as: UTF8.self))]
            }
            var result: [(name: String, value: String)] = []
            func text(_ range: Range<Int>) -> String {
                String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            }
            _ = try? scanner.forEachMember(of: root) { name, member in
                let field = text(name)
                if keying == .rawExplorerRow && field == "request" { return true }
                if member.kind == .object {
                    _ = try? scanner.forEachMember(of: member) { inner, value in
                        let innerName = text(inner)
                        if !(keying == .rawExplorerRow && innerName == "confirmations") {
                            result.append((field + "." + innerName, text(value.range)))
                        }
                        return true
                    }
                } else {
                    result.append((field, text(member.range)))
                }
                return true
            }
            return result
        }
    }

    private func cut(_ value: String) -> String {
        value.count > valueLimit ? String(value.prefix(valueLimit)) + "…" : value
    }
}

/// A mapping after the unknown-key and duplicate-key checks: known keys, first occurrence each.
struct CheckedMapping {
    let node: ConfigNode
    let entries: [(key: String, keyLocation: SourceLocation, value: ConfigNode)]

    /// The value under `key`, nil when absent or null.
    func value(_ key: String) -> ConfigNode? {
        guard let node = entries.first(where: { $0.key == key })?.value, !node.isNull else { return nil }
        return node
    }
}

/// Shape checks shared by the chain and stage walks. Each reports a located diagnostic and returns
/// nil on failure, so the walk continues and reports everything.
extension PipelineLoader {
    mutating func report(at location: SourceLocation, _ message: String, hint: String?) {
        diagnostics.append(ConfigDiagnostic(location: location, message: message, hint: hint))
    }

    /// Reports unknown and repeated keys of `node` (a mapping, or null for an empty one).
    mutating func checkMapping(_ node: ConfigNode, allowed: [String], context: String) -> CheckedMapping {
        var entries: [(key: String, keyLocation: SourceLocation, value: ConfigNode)] = []
        switch node.value {
        case .null:
            break
        case .mapping(let pairs):
            var seen: [String: SourceLocation] = [:]
            for pair in pairs {
                if let first = seen[pair.key] {
                    report(
                        at: pair.keyLocation, "duplicate key '\(pair.key)' in \(context) (first at line \(first.line))",
                        hint: "remove one of the two")
                    continue
                }
                seen[pair.key] = pair.keyLocation
                guard allowed.contains(pair.key) else {
                    report(
                        at: pair.keyLocation, "unknown key '\(pair.key)' in \(context)",
                        hint: NearestName.hint(for: pair.key, in: allowed, noun: "key"))
                    continue
                }
                entries.append(pair)
            }
        default:
            report(
                at: node.location, "expected a mapping for \(context), found \(describe(node))",
                hint: "write 'key: value' lines indented under it")
        }
        return CheckedMapping(node: node, entries: entries)
    }

    /// The value under a required key; reports it missing at `location` (default: the mapping).
    mutating func require(
        _ mapping: CheckedMapping, _ key: String, context: String, example: String, at location: SourceLocation? = nil
    ) -> ConfigNode? {
        if let value = mapping.value(key) { return value }
        report(
            at: location ?? mapping.node.location, "missing required key '\(key)' in \(context)", hint: "add \(example)"
        )
        return nil
    }

    mutating func string(_ node: ConfigNode, key: String) -> String? {
        guard accepts(node, .string, key: key) else { return nil }
        return node.scalarText
    }

    mutating func integer(_ node: ConfigNode, key: String) -> Int? {
        guard accepts(node, .integer, key: key) else { return nil }
        return node.scalarText.flatMap(ConfigNode.parseInteger)
    }

    mutating func number(_ node: ConfigNode, key: String) -> Double? {
        guard accepts(node, .number, key: key) else { return nil }
        return node.scalarText.flatMap(ConfigNode.parseNumber)
    }

    /// The items of a list whose items are checked by the caller.
    mutating func sequence(_ node: ConfigNode, key: String, example: String) -> [ConfigNode]? {
        guard failedScalars.contains(node.location) == false else { return nil }
        guard case .sequence(let items) = node.value else {
            report(at: node.location, "expected a list for '\(key)', found \(describe(node))", hint: "write \(example)")
            return nil
        }
        return items
    }

    /// Whether `node` has the shape `type` asks for; reports it (at the offending list item) if not.
    ///
    /// A scalar whose interpolation failed was already reported, so it is neither accepted nor reported again.
    mutating func accepts(_ node: ConfigNode, _ type: StageParameterType, key: String) -> Bool {
        if failedScalars.contains(node.location) { return false }
        if node.matches(type) { return true }
        var culprit = node
        var suffix = ""
        if case .sequence(let items) = node.value, [.stringList, .chainList, .mappingList].contains(type),
            let index = items.firstIndex(where: { !$0.matches(type == .mappingList ? .mapping : .string) })
        {
            culprit = items[index]
            if failedScalars.contains(culprit.location) { return false }
            suffix = " as item \(index + 1)"
        }
        report(
            at: culprit.location, "expected \(type.phrase) for '\(key)', found \(describe(culprit))\(suffix)",
            hint: "write " + type.example(key))
        return false
    }

    /// How a value reads in "found …": scalars quoted as written (never an interpolated value,
    /// which may be a secret), other values by shape.
    func describe(_ node: ConfigNode) -> String {
        switch node.value {
        case .null: return "nothing"
        case .scalar: return quoted(node)
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    /// A scalar as written in the file, quoted and cut at 70 characters (a transaction hash fits).
    ///
    /// An interpolated scalar also shows its value (`'${ROWS}' (= 'ten')`), since the value is what
    /// is wrong, unless a variable's name looks like a secret (`*KEY*`, `*SECRET*`, `*TOKEN*`,
    /// `*PASS*`, …): API keys and passwords never reach an error message.
    func quoted(_ node: ConfigNode) -> String {
        func cut(_ text: String) -> String { text.count > 70 ? String(text.prefix(70)) + "…" : text }
        let value = node.scalarText ?? ""
        guard let written = writtenText[node.location] else { return "'\(cut(value))'" }
        guard written != value, !Self.namesSecret(written) else { return "'\(cut(written))'" }
        return "'\(cut(written))' (= '\(cut(value))')"
    }

    /// Whether a `${VAR}` in `written` names a variable that may hold a secret.
    static func namesSecret(_ written: String) -> Bool {
        let secretWords = ["KEY", "SECRET", "TOKEN", "PASS", "PWD", "CREDENTIAL", "AUTH", "PRIVATE", "URL", "DSN"]
        var names: [String] = []
        var rest = Substring(written)
        while let start = rest.range(of: "${") {
            let tail = rest[start.upperBound...]
            let name = tail.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            names.append(name.uppercased())
            rest = tail.dropFirst(name.count)
        }
        return names.contains { name in secretWords.contains { name.contains($0) } }
    }

    /// A lowercase `0x` address from `0x` + 40 hex digits, or nil after reporting.
    mutating func address(_ node: ConfigNode, key: String) -> String? {
        guard let text = string(node, key: key) else { return nil }
        let digits = text.dropFirst(2)
        guard text.hasPrefix("0x") || text.hasPrefix("0X"), digits.count == 40,
            digits.allSatisfy({ $0.isASCII && $0.isHexDigit })
        else {
            report(
                at: node.location, "invalid address \(quoted(node)) for '\(key)'",
                hint: "an address is 0x followed by 40 hex digits; copy it from the explorer")
            return nil
        }
        return "0x" + digits.lowercased()
    }
}

/// Typed reads of a `with:` mapping, for stage configurations.
///
/// Each accessor returns nil when the key is absent or null, and throws a located
/// `ConfigDiagnostic` when the value has the wrong shape. The loader has already checked `with:`
/// against the kind's `StageParameterSchema`, so these throw only when a stage reads a key its
/// schema does not declare with the same type.
extension ConfigNode {
    /// Whether this is an explicit or implied null (`key:`, `key: ~`, `key: null`).
    public var isNull: Bool { value == .null }

    /// The keys of a mapping in file order; empty for any other value.
    public var keys: [String] {
        guard case .mapping(let pairs) = value else { return [] }
        return pairs.map(\.key)
    }

    /// The value under `key` (the first one, if the key is repeated), or nil when absent or null.
    public func node(_ key: String) -> ConfigNode? {
        guard case .mapping(let pairs) = value, let node = pairs.first(where: { $0.key == key })?.value,
            !node.isNull
        else { return nil }
        return node
    }

    public func string(_ key: String) throws(ConfigDiagnostic) -> String? {
        guard let node = try entry(key) else { return nil }
        guard let text = node.scalarText else { throw node.mismatch(key, .string) }
        return text
    }

    public func integer(_ key: String) throws(ConfigDiagnostic) -> Int? {
        guard let node = try entry(key) else { return nil }
        guard let number = node.scalarText.flatMap(Self.parseInteger) else { throw node.mismatch(key, .integer) }
        return number
    }

    /// A decimal parameter (a ratio, a threshold). Never use this for token amounts.
    public func number(_ key: String) throws(ConfigDiagnostic) -> Double? {
        guard let node = try entry(key) else { return nil }
        guard let number = node.scalarText.flatMap(Self.parseNumber) else { throw node.mismatch(key, .number) }
        return number
    }

    public func boolean(_ key: String) throws(ConfigDiagnostic) -> Bool? {
        guard let node = try entry(key) else { return nil }
        guard let flag = node.scalarText.flatMap(Self.parseBoolean) else { throw node.mismatch(key, .boolean) }
        return flag
    }

    public func stringList(_ key: String) throws(ConfigDiagnostic) -> [String]? {
        guard let node = try entry(key) else { return nil }
        guard case .sequence(let items) = node.value else { throw node.mismatch(key, .stringList) }
        var texts: [String] = []
        for item in items {
            guard let text = item.scalarText else { throw item.mismatch(key, .stringList) }
            texts.append(text)
        }
        return texts
    }

    public func mapping(_ key: String) throws(ConfigDiagnostic) -> ConfigNode? {
        guard let node = try entry(key) else { return nil }
        guard case .mapping = node.value else { throw node.mismatch(key, .mapping) }
        return node
    }

    public func mappingList(_ key: String) throws(ConfigDiagnostic) -> [ConfigNode]? {
        guard let node = try entry(key) else { return nil }
        guard case .sequence(let items) = node.value else { throw node.mismatch(key, .mappingList) }
        for item in items {
            guard case .mapping = item.value else { throw item.mismatch(key, .mappingList) }
        }
        return items
    }

    public func requiredString(_ key: String) throws(ConfigDiagnostic) -> String {
        guard let value = try string(key) else { throw missing(key, .string) }
        return value
    }

    public func requiredInteger(_ key: String) throws(ConfigDiagnostic) -> Int {
        guard let value = try integer(key) else { throw missing(key, .integer) }
        return value
    }

    public func requiredNumber(_ key: String) throws(ConfigDiagnostic) -> Double {
        guard let value = try number(key) else { throw missing(key, .number) }
        return value
    }

    public func requiredBoolean(_ key: String) throws(ConfigDiagnostic) -> Bool {
        guard let value = try boolean(key) else { throw missing(key, .boolean) }
        return value
    }

    public func requiredStringList(_ key: String) throws(ConfigDiagnostic) -> [String] {
        guard let value = try stringList(key) else { throw missing(key, .stringList) }
        return value
    }

    public func requiredMapping(_ key: String) throws(ConfigDiagnostic) -> ConfigNode {
        guard let value = try mapping(key) else { throw missing(key, .mapping) }
        return value
    }

    public func requiredMappingList(_ key: String) throws(ConfigDiagnostic) -> [ConfigNode] {
        guard let value = try mappingList(key) else { throw missing(key, .mappingList) }
        return value
    }

    // MARK: - Shared with the loader

    /// The text of a scalar; nil for null, lists and mappings.
    var scalarText: String? {
        guard case .scalar(let text) = value else { return nil }
        return text
    }

    /// Whether this value has the shape `type` asks for (chain names are checked by the loader).
    func matches(_ type: StageParameterType) -> Bool {
        switch type {
        case .any: return true
        case .string, .chain: return scalarText != nil
        case .integer: return scalarText.flatMap(Self.parseInteger) != nil
        case .number: return scalarText.flatMap(Self.parseNumber) != nil
        case .boolean: return scalarText.flatMap(Self.parseBoolean) != nil
        case .mapping:
            if case .mapping = value { return true }
            return false
        case .stringList, .chainList:
            guard case .sequence(let items) = value else { return false }
            return items.allSatisfy { $0.scalarText != nil }
        case .mappingList:
            guard case .sequence(let items) = value else { return false }
            return items.allSatisfy {
                if case .mapping = $0.value { return true }
                return false
            }
        }
    }

    /// A whole number written in decimal, optionally signed (`12`, `-3`); no `_`, hex or exponents.
    static func parseInteger(_ text: String) -> Int? {
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// A decimal number (`2`, `0.5`, `1e3`, `-.5`); no `inf`, `nan` or hex.
    static func parseNumber(_ text: String) -> Double? {
        var rest = Substring(text)
        if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
        let mantissa = rest.prefix { $0 != "e" && $0 != "E" }
        var exponent = rest.dropFirst(mantissa.count)
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let isDigits: (Substring) -> Bool = { $0.allSatisfy { $0.isASCII && $0.isNumber } }
        guard parts.allSatisfy(isDigits), parts.contains(where: { !$0.isEmpty }) else { return nil }
        if !exponent.isEmpty {
            exponent = exponent.dropFirst()
            if exponent.first == "-" || exponent.first == "+" { exponent = exponent.dropFirst() }
            guard !exponent.isEmpty, isDigits(exponent) else { return nil }
        }
        return Double(text).flatMap { $0.isFinite ? $0 : nil }
    }

    /// `true` or `false` (also `True`/`TRUE`/`False`/`FALSE`, as YAML 1.2 reads them).
    static func parseBoolean(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// The non-null value under `key`; throws when `self` is not a mapping (a null `with:` is empty).
    private func entry(_ key: String) throws(ConfigDiagnostic) -> ConfigNode? {
        switch value {
        case .mapping: return node(key)
        case .null: return nil
        default:
            throw ConfigDiagnostic(
                location: location, message: "expected a mapping of parameters", hint: "write 'key: value' lines")
        }
    }

    private func mismatch(_ key: String, _ type: StageParameterType) -> ConfigDiagnostic {
        ConfigDiagnostic(location: location, message: "expected \(type.phrase) for '\(key)'", hint: type.example(key))
    }

    private func missing(_ key: String, _ type: StageParameterType) -> ConfigDiagnostic {
        ConfigDiagnostic(
            location: location, message: "missing required parameter '\(key)'", hint: "add " + type.example(key))
    }
}

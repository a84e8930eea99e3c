import Crypto

/// The stage config hash that checkpoint manifests record, so a changed config reruns the stage.
///
/// What is hashed (SHA-256, lowercase hex) is one line of canonical JSON (keys sorted, no spaces):
/// - `format`: `chainetl-stage-config/1`, bumped if this rendering ever changes;
/// - `kind`: the stage's `uses:`;
/// - `needs`: the `needs:` ids, sorted (their order carries no meaning);
/// - `with`: the interpolated `with:` values, mapping keys sorted, every scalar as its text
///   (`6` and `"6"` hash the same), without source locations, so moving a stage in the file or
///   reformatting its YAML does not change the hash;
/// - `chains`: every chain, sorted by name, with `name`, `chain_id`, `explorer`, `confirmations`,
///   `tokens` (sorted by address: `address`, `symbol`, `decimals`) and `accounts` (sorted).
///
/// Where and how fast to fetch is deliberately left out: base URLs (hosts, ports), the API key
/// variable's name, rate limits and `max_in_flight` do not change what a stage produces, so they
/// must not invalidate checkpoints (the demo's simulator listens on a new port every time). The
/// pipeline's name and the stage's id are left out too: they already locate the checkpoint.
///
/// `configParts(forStage:)` hashes the same pieces one by one (`uses`, `needs`, `with.<key>`,
/// `chains.<name>.<field>`), so a rerun can say which keys changed.
extension PipelineSpec {
    /// The config hash of the stage with id `stageID`, or nil when there is no such stage.
    public func configHash(forStage stageID: String) -> String? {
        stage(id: stageID).map { configHash(forStage: $0) }
    }

    /// The config hash of `stage` (which should be one of this pipeline's stages).
    public func configHash(forStage stage: StageSpec) -> String {
        Self.sha256Hex(canonicalConfig(forStage: stage))
    }

    /// A short hash of each piece of `stage`'s hashed configuration, by name: `format`, `uses`,
    /// `needs`, `with.<key>` (or `with` when `with:` is not a mapping) and
    /// `chains.<name>.<field>`. Two configurations with the same hash have the same parts; the
    /// names of the parts that differ are what changed.
    public func configParts(forStage stage: StageSpec) -> [String: String] {
        var parts: [String: CanonicalJSON] = [
            "format": .string(Self.configFormat),
            "uses": .string(stage.kind),
            "needs": .array(stage.needs.sorted().map(CanonicalJSON.string)),
        ]
        if case .object(let members) = CanonicalJSON(stage.parameters.value) {
            for (key, value) in members { parts["with." + key] = value }
        } else {
            parts["with"] = CanonicalJSON(stage.parameters.value)
        }
        for chain in chains {
            if case .object(let fields) = Self.canonical(chain) {
                for (field, value) in fields where field != "name" { parts["chains.\(chain.name).\(field)"] = value }
            }
        }
        return parts.mapValues { value in
            var text = ""
            value.render(into: &text)
            return String(Self.sha256Hex(text).prefix(16))
        }
    }

    /// The exact text `configHash(forStage:)` hashes.
    func canonicalConfig(forStage stage: StageSpec) -> String {
        let root = CanonicalJSON.object([
            "format": .string(Self.configFormat),
            "kind": .string(stage.kind),
            "needs": .array(stage.needs.sorted().map(CanonicalJSON.string)),
            "with": CanonicalJSON(stage.parameters.value),
            "chains": .array(chains.sorted { $0.name < $1.name }.map(Self.canonical)),
        ])
        var text = ""
        root.render(into: &text)
        return text
    }

    /// Bumped whenever the rendering changes (2: base URLs and key variable names left out).
    private static let configFormat = "chainetl-stage-config/2"

    /// What of a chain a stage's output depends on: never where or how fast it is fetched from.
    private static func canonical(_ chain: ChainSpec) -> CanonicalJSON {
        .object([
            "name": .string(chain.name),
            "chain_id": .integer(chain.chainID),
            "explorer": .string(chain.explorer.rawValue),
            "confirmations": .integer(chain.confirmations),
            "tokens": .array(
                chain.tokens.sorted { $0.address < $1.address }.map { token in
                    .object([
                        "address": .string(token.address),
                        "symbol": token.symbol.map(CanonicalJSON.string) ?? .null,
                        "decimals": token.decimals.map(CanonicalJSON.integer) ?? .null,
                    ])
                }),
            "accounts": .array(chain.accounts.sorted().map(CanonicalJSON.string)),
        ])
    }

    private static func sha256Hex(_ text: String) -> String {
        LowercaseHex.text(SHA256.hash(data: Array(text.utf8)))
    }
}

/// A JSON value rendered canonically: object keys sorted by their UTF-8 bytes, no whitespace.
private indirect enum CanonicalJSON {
    case string(String)
    case integer(Int)
    case null
    case array([CanonicalJSON])
    case object([String: CanonicalJSON])

    init(_ value: ConfigValue) {
        switch value {
        case .scalar(let text): self = .string(text)
        case .null: self = .null
        case .sequence(let items): self = .array(items.map { CanonicalJSON($0.value) })
        case .mapping(let pairs):
            var object: [String: CanonicalJSON] = [:]
            for pair in pairs where object[pair.key] == nil { object[pair.key] = CanonicalJSON(pair.value.value) }
            self = .object(object)
        }
    }

    func render(into text: inout String) {
        switch self {
        case .string(let string): Self.renderString(string, into: &text)
        case .integer(let number): text += String(number)
        case .null: text += "null"
        case .array(let items):
            text += "["
            for (index, item) in items.enumerated() {
                if index > 0 { text += "," }
                item.render(into: &text)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (index, key) in members.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes($1.utf8) })
                .enumerated()
            {
                if index > 0 { text += "," }
                Self.renderString(key, into: &text)
                text += ":"
                members[key]?.render(into: &text)
            }
            text += "}"
        }
    }

    private static func renderString(_ string: String, into text: inout String) {
        text += JSONLineWriter.quoted(string)
    }
}

import Foundation

/// A position in a pipeline file, for `file:line:column` diagnostics.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A parsed, interpolated and validated pipeline file (`version: 1`).
public struct PipelineSpec: Sendable {
    /// The pipeline's name: the file name without `.yaml` (or the `name:` key when given).
    public var name: String
    /// The pipeline file.
    public var file: URL
    /// The folder holding the file; `.sql` paths and data files resolve against it.
    public var directory: URL { file.deletingLastPathComponent() }
    public var version: Int
    public var chains: [ChainSpec]
    public var stages: [StageSpec]

    public init(name: String, file: URL, version: Int, chains: [ChainSpec], stages: [StageSpec]) {
        self.name = name
        self.file = file
        self.version = version
        self.chains = chains
        self.stages = stages
    }

    public func chain(named name: String) -> ChainSpec? { chains.first { $0.name == name } }
    public func stage(id: String) -> StageSpec? { stages.first { $0.id == id } }
}

/// The explorer API family a chain is read from.
public enum ExplorerKind: String, Sendable, CaseIterable {
    case etherscan
    case blockscout
}

/// One chain: where its explorer is, how fast it may be called, and what is tracked on it.
public struct ChainSpec: Sendable {
    /// `max_in_flight` when the file does not say: enough for 5 calls/s at 1 s answers, few enough
    /// that one extract stage never opens more than the transport's 8 connections per host.
    public static let defaultMaxInFlight = 8

    /// The key under `chains:` (e.g. `ethereum`).
    public var name: String
    public var chainID: Int
    public var explorer: ExplorerKind
    /// Base URL of the API, e.g. `https://api.etherscan.io/v2/api`.
    public var baseURL: String
    /// The *name* of the environment variable holding the API key (never the key itself).
    public var apiKeyEnv: String?
    public var ratePerSecond: Double
    public var ratePerDay: Int?
    /// The most requests of this chain's key in flight at once (`max_in_flight`, default
    /// `defaultMaxInFlight`). Like the rate limits it is not part of any stage's config hash: it
    /// changes how fast rows arrive, never which rows.
    public var maxInFlight: Int
    /// Blocks behind the head before a block counts as final.
    public var confirmations: Int
    public var tokens: [TrackedToken]
    /// Tracked accounts (lowercase 0x addresses), for tokentx by address.
    public var accounts: [String]
    public var location: SourceLocation

    public init(
        name: String, chainID: Int, explorer: ExplorerKind, baseURL: String, apiKeyEnv: String?,
        ratePerSecond: Double, ratePerDay: Int?, confirmations: Int, tokens: [TrackedToken],
        accounts: [String], location: SourceLocation, maxInFlight: Int = ChainSpec.defaultMaxInFlight
    ) {
        self.maxInFlight = max(1, maxInFlight)
        self.name = name
        self.chainID = chainID
        self.explorer = explorer
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.ratePerSecond = ratePerSecond
        self.ratePerDay = ratePerDay
        self.confirmations = confirmations
        self.tokens = tokens
        self.accounts = accounts
        self.location = location
    }
}

/// A token contract tracked on one chain.
public struct TrackedToken: Sendable, Hashable {
    /// Lowercase `0x` + 40 hex.
    public var address: String
    public var symbol: String?
    public var decimals: Int?

    public init(address: String, symbol: String? = nil, decimals: Int? = nil) {
        self.address = address
        self.symbol = symbol
        self.decimals = decimals
    }
}

/// One stage declaration: `id`, `uses:` (its kind), `needs:` and `with:`.
public struct StageSpec: Sendable {
    public var id: String
    public var kind: String
    public var needs: [String]
    /// The `with:` mapping, kept as a located tree so each stage kind decodes it strictly.
    public var parameters: ConfigNode
    public var location: SourceLocation

    public init(id: String, kind: String, needs: [String], parameters: ConfigNode, location: SourceLocation) {
        self.id = id
        self.kind = kind
        self.needs = needs
        self.parameters = parameters
        self.location = location
    }
}

/// A located, already-interpolated YAML value: what `with:` holds.
public indirect enum ConfigValue: Sendable, Hashable {
    case scalar(String)
    case sequence([ConfigNode])
    case mapping([(key: String, keyLocation: SourceLocation, value: ConfigNode)])
    case null

    public static func == (lhs: ConfigValue, rhs: ConfigValue) -> Bool {
        switch (lhs, rhs) {
        case (.scalar(let a), .scalar(let b)): return a == b
        case (.sequence(let a), .sequence(let b)): return a == b
        case (.null, .null): return true
        case (.mapping(let a), .mapping(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .scalar(let text):
            hasher.combine(0)
            hasher.combine(text)
        case .sequence(let items):
            hasher.combine(1)
            hasher.combine(items)
        case .mapping(let pairs):
            hasher.combine(2)
            for pair in pairs {
                hasher.combine(pair.key)
                hasher.combine(pair.value)
            }
        case .null: hasher.combine(3)
        }
    }
}

/// A `ConfigValue` with where it came from. Equality ignores the location.
public struct ConfigNode: Sendable, Hashable {
    public var value: ConfigValue
    public var location: SourceLocation

    public init(value: ConfigValue, location: SourceLocation) {
        self.value = value
        self.location = location
    }

    public static func == (lhs: ConfigNode, rhs: ConfigNode) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

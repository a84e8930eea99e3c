import ChainETLCore

/// A simulated chain: fixed genesis, fixed block interval, fixed tokens and account population.
///
/// Block `N` is timestamped `genesis + N * interval`. Every interval divides 86,400, so each UTC
/// day maps to an exact block range.
public struct SimulatedChain: Sendable, Hashable {
    public let chainID: Int
    public let name: String
    public let blockIntervalSeconds: Int
    public let genesisUnixSeconds: Int

    /// 2026-01-01T00:00:00Z, the genesis of every simulated chain.
    public static let genesisUnixSeconds = 1_767_225_600
    /// Size of the Zipf-distributed account population per chain (index 0 is the zero address).
    public static let accountPopulation = 4_000
    public static let zeroAddress = "0x0000000000000000000000000000000000000000"

    /// The supported chains: 1 (12 s), 10 (2 s), 25 (6 s), 100 (5 s).
    public static let all: [SimulatedChain] = [
        SimulatedChain(chainID: 1, name: "Ethereum", blockIntervalSeconds: 12, genesisUnixSeconds: genesisUnixSeconds),
        SimulatedChain(
            chainID: 10, name: "OP Mainnet", blockIntervalSeconds: 2, genesisUnixSeconds: genesisUnixSeconds),
        SimulatedChain(chainID: 25, name: "Cronos", blockIntervalSeconds: 6, genesisUnixSeconds: genesisUnixSeconds),
        SimulatedChain(chainID: 100, name: "Gnosis", blockIntervalSeconds: 5, genesisUnixSeconds: genesisUnixSeconds),
    ]

    public static func chain(id: Int) -> SimulatedChain? {
        all.first { $0.chainID == id }
    }

    /// The tokens of a chain (empty for an unsupported chain id), in index order:
    /// 0 USDC (6), 1 WETH (18), 2 DAI (18), 3 NODEC (`""`), 4 spam with a unicode name (0),
    /// 5 HUGE (18, values up to 2^256 − 1), 6 SIMPUNK (ERC-721).
    public static func tokens(chainID: Int) -> [SimulatedToken] {
        tokenTables[chainID] ?? []
    }

    public var tokens: [SimulatedToken] { Self.tokens(chainID: chainID) }

    /// Unix seconds of block `number`.
    public func timestamp(ofBlock number: Int) -> Int {
        genesisUnixSeconds + number * blockIntervalSeconds
    }

    /// The last block whose timestamp is ≤ `unixSeconds`; nil before genesis.
    public func lastBlock(atOrBefore unixSeconds: Int) -> Int? {
        guard unixSeconds >= genesisUnixSeconds else { return nil }
        return (unixSeconds - genesisUnixSeconds) / blockIntervalSeconds
    }

    /// The first block whose timestamp is ≥ `unixSeconds`.
    public func firstBlock(atOrAfter unixSeconds: Int) -> Int {
        guard unixSeconds > genesisUnixSeconds else { return 0 }
        return (unixSeconds - genesisUnixSeconds + blockIntervalSeconds - 1) / blockIntervalSeconds
    }

    /// The blocks timestamped inside `day` (UTC); nil for days before genesis.
    public func blocks(on day: PartitionDay) -> ClosedRange<Int>? {
        guard day.endUnixSeconds > genesisUnixSeconds else { return nil }
        let first = firstBlock(atOrAfter: day.startUnixSeconds)
        let last = firstBlock(atOrAfter: day.endUnixSeconds) - 1
        return first...last
    }

    /// The newest block the explorer serves at `unixSeconds`: the chain tip minus one block of
    /// indexing lag. −1 when nothing is indexed yet.
    public func head(atUnixTime unixSeconds: Int) -> Int {
        guard let tip = lastBlock(atOrBefore: unixSeconds) else { return -1 }
        return tip - 1
    }

    /// Lowercase address of population member `index` (0 = the zero address).
    func accountAddress(_ index: Int) -> String {
        Self.accountTables[chainID]![index]
    }

    /// The population index of `address` (lowercase), or nil when it is not a simulated account.
    func accountIndex(of address: String) -> Int? {
        Self.accountIndexTables[chainID]![address]
    }

    static let accountTables: [Int: [String]] = {
        var tables: [Int: [String]] = [:]
        for chain in all {
            var table = [zeroAddress]
            table.reserveCapacity(accountPopulation + 1)
            for index in 1...accountPopulation {
                var rng = SplitMix64(key: StreamTag.account, UInt64(chain.chainID), UInt64(index))
                table.append(HexFormat.randomBytes(20, &rng))
            }
            tables[chain.chainID] = table
        }
        return tables
    }()

    static let accountIndexTables: [Int: [String: Int]] = {
        var tables: [Int: [String: Int]] = [:]
        for (chainID, addresses) in accountTables {
            var index: [String: Int] = [:]
            for (position, address) in addresses.enumerated() { index[address] = position }
            tables[chainID] = index
        }
        return tables
    }()

    private static let tokenTables: [Int: [SimulatedToken]] = {
        typealias Template = (String, String, String, SimulatedToken.Standard, SimulatedToken.ValueProfile)
        let templates: [Template] = [
            ("USDC", "USD Coin", "6", .erc20, .stablecoin),
            ("WETH", "Wrapped Ether", "18", .erc20, .eighteenDecimals),
            ("DAI", "Dai Stablecoin", "18", .erc20, .eighteenDecimals),
            ("NODEC", "No Decimals Token", "", .erc20, .unknownDecimals),
            ("🎁CLAIM", "USD-SWAP˳COM", "0", .erc20, .spam),
            ("HUGE", "Huge Supply Token", "18", .erc20, .huge),
            ("SIMPUNK", "Simulated Punks", "0", .erc721, .collectible),
        ]
        var tables: [Int: [SimulatedToken]] = [:]
        for chain in all {
            tables[chain.chainID] = templates.enumerated().map { index, template in
                var rng = SplitMix64(key: StreamTag.token, UInt64(chain.chainID), UInt64(index))
                return SimulatedToken(
                    chainID: chain.chainID, index: index, address: HexFormat.randomBytes(20, &rng),
                    symbol: template.0, name: template.1, decimals: template.2, standard: template.3,
                    profile: template.4)
            }
        }
        return tables
    }()
}

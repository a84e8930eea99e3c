import ChainETLCore
import Foundation

/// Generates any block of a simulated chain on its own, from (seed, chain id, block number).
///
/// Content per block: for every ERC-20 token a Poisson number of transfers (mean
/// `transfersPerDay × interval / 86,400`), ERC-721 transfers at a quarter of that rate, and on
/// dense blocks 1,001–1,500 extra transfers of one token. Transfers are shuffled and grouped into
/// transactions of 1–6 logs (so transactions mix tokens); 4 % of transactions repeat their first
/// ERC-20 transfer verbatim (two identical transfers in one transaction). Kinds: 3 % mints, 2 %
/// burns, 2 % self-transfers, 2 % zero values; accounts are Zipf-distributed over a fixed population.
public struct ChainGenerator: Sendable {
    public let chain: SimulatedChain
    public let configuration: GeneratorConfiguration
    let tokens: [SimulatedToken]
    let erc20Indices: [Int]
    let erc721Indices: [Int]
    private let accounts: [String]
    private let expMinusLambdaERC20: Double
    private let expMinusLambdaERC721: Double

    public init(chain: SimulatedChain, configuration: GeneratorConfiguration) {
        self.chain = chain
        self.configuration = configuration
        tokens = chain.tokens
        erc20Indices = tokens.filter(\.isERC20).map(\.index)
        erc721Indices = tokens.filter { !$0.isERC20 }.map(\.index)
        accounts = SimulatedChain.accountTables[chain.chainID]!
        let lambda = Double(max(0, configuration.transfersPerDay)) * Double(chain.blockIntervalSeconds) / 86_400
        expMinusLambdaERC20 = exp(-lambda)
        expMinusLambdaERC721 = exp(-lambda / 4)
    }

    /// Nil for an unsupported chain id.
    public init?(chainID: Int, configuration: GeneratorConfiguration) {
        guard let chain = SimulatedChain.chain(id: chainID) else { return nil }
        self.init(chain: chain, configuration: configuration)
    }

    /// The token whose extra transfers make `number` a dense block, or nil for a normal block.
    public func denseToken(forBlock number: Int) -> SimulatedToken? {
        let every = configuration.denseBlockEvery
        guard every > 0, number % every == 0, !erc20Indices.isEmpty else { return nil }
        return tokens[erc20Indices[(number / every) % erc20Indices.count]]
    }

    /// Block `number` (≥ 0), identical for the same seed, chain and number whatever else was generated.
    public func block(_ number: Int) -> SimulatedBlock {
        if !configuration.reorgs.isEmpty, let reorg = reorg(at: number) { return reorganizedBlock(number, reorg) }
        let seed = configuration.seed
        let chainKey = UInt64(chain.chainID)
        var rng = SplitMix64(key: StreamTag.block, seed, chainKey, UInt64(number))
        var drafts: [Draft] = []
        for token in erc20Indices {
            let count = rng.poisson(expMinusLambda: expMinusLambdaERC20)
            for _ in 0..<count { drafts.append(erc20Draft(token: token, &rng)) }
        }
        for token in erc721Indices {
            let count = rng.poisson(expMinusLambda: expMinusLambdaERC721)
            for _ in 0..<count { drafts.append(erc721Draft(token: token, &rng)) }
        }
        drafts.shuffle(using: &rng)

        var groups: [[Draft]] = []
        var position = 0
        while position < drafts.count {
            let roll = rng.below(100)
            let size = roll < 70 ? 1 : roll < 88 ? 2 : roll < 96 ? 3 : rng.int(in: 4...6)
            var group = Array(drafts[position..<min(position + size, drafts.count)])
            position += size
            if let first = group.first(where: { !$0.isERC721 }), rng.chance(0.04) {
                group.append(first)
            }
            groups.append(group)
        }
        if let dense = denseToken(forBlock: number) {
            var denseRNG = SplitMix64(key: StreamTag.block, seed, chainKey, UInt64(number), 0xDE45E)
            let distributor = ZipfSampler.accounts.sample(&denseRNG)
            var remaining = denseRNG.int(in: 1_001...1_500)
            while remaining > 0 {
                let size = min(250, remaining)
                remaining -= size
                let group = (0..<size).map { _ in
                    Draft(
                        token: dense.index, from: distributor, to: ZipfSampler.accounts.sample(&denseRNG),
                        value: value(dense.profile, &denseRNG), isERC721: false)
                }
                groups.insert(group, at: rng.below(groups.count + 1))
            }
        }
        return assemble(number: number, groups: groups, rng: &rng)
    }

    /// Blocks `range` in order, generated lazily.
    public func blocks(_ range: ClosedRange<Int>) -> LazyMapSequence<ClosedRange<Int>, SimulatedBlock> {
        range.lazy.map { block($0) }
    }

    private struct Draft {
        var token: Int
        var from: Int
        var to: Int
        var value: UInt256
        var isERC721: Bool
    }

    private func assemble(number: Int, groups: [[Draft]], rng: inout SplitMix64) -> SimulatedBlock {
        let seed = configuration.seed
        let chainKey = UInt64(chain.chainID)
        var hashRNG = SplitMix64(key: StreamTag.blockHash, seed, chainKey, UInt64(number))
        let blockHash = HexFormat.randomBytes(32, &hashRNG)
        var transactions: [SimulatedTransaction] = []
        var logs: [SimulatedLog] = []
        transactions.reserveCapacity(groups.count)
        var transactionIndex = rng.below(3)
        var logIndex = rng.below(4)
        var cumulativeGas = rng.int(in: 0...2_000_000)
        for (ordinal, group) in groups.enumerated() {
            var txRNG = SplitMix64(key: StreamTag.transaction, seed, chainKey, UInt64(number), UInt64(transactionIndex))
            let hash = HexFormat.randomBytes(32, &txRNG)
            let gas = 60_000 + txRNG.below(900_000) + 30_000 * group.count
            let gasUsed = gas - txRNG.below(gas / 3)
            cumulativeGas += gasUsed
            transactions.append(
                SimulatedTransaction(
                    transactionIndex: transactionIndex, hash: hash, nonce: txRNG.below(400_000), gas: gas,
                    gasPrice: UInt64(1_000_000_000 + txRNG.below(90_000_000_000)), gasUsed: gasUsed,
                    cumulativeGasUsed: cumulativeGas, methodOrdinal: methodOrdinal(for: group, &txRNG)))
            for draft in group {
                logs.append(
                    SimulatedLog(
                        logIndex: logIndex, transactionOrdinal: ordinal, tokenIndex: draft.token,
                        tokenAddress: tokens[draft.token].address, fromAddress: accounts[draft.from],
                        toAddress: accounts[draft.to], value: draft.value, isERC721: draft.isERC721,
                        fromAccount: draft.from, toAccount: draft.to))
                logIndex += rng.chance(0.25) ? 2 + rng.below(3) : 1
            }
            transactionIndex += rng.chance(0.5) ? 2 + rng.below(4) : 1
        }
        return SimulatedBlock(
            chainID: chain.chainID, number: number, timestamp: chain.timestamp(ofBlock: number), hash: blockHash,
            transactions: transactions, logs: logs)
    }

    private func methodOrdinal(for group: [Draft], _ rng: inout SplitMix64) -> Int {
        if group.count > 6 { return 7 }
        if group.count > 2 { return 3 }
        if group[0].from == 0 { return 5 }
        if group[0].to == 0 { return 6 }
        return rng.below(5)
    }

    private func erc20Draft(token: Int, _ rng: inout SplitMix64) -> Draft {
        let roll = rng.below(100)
        let from: Int
        let to: Int
        switch roll {
        case 0..<3:
            from = 0
            to = ZipfSampler.accounts.sample(&rng)
        case 3..<5:
            from = ZipfSampler.accounts.sample(&rng)
            to = 0
        case 5..<7:
            from = ZipfSampler.accounts.sample(&rng)
            to = from
        default:
            from = ZipfSampler.accounts.sample(&rng)
            to = ZipfSampler.accounts.sample(&rng)
        }
        let amount = rng.chance(0.02) ? UInt256.zero : value(tokens[token].profile, &rng)
        return Draft(token: token, from: from, to: to, value: amount, isERC721: false)
    }

    private func erc721Draft(token: Int, _ rng: inout SplitMix64) -> Draft {
        let from = rng.chance(0.15) ? 0 : ZipfSampler.accounts.sample(&rng)
        let to = ZipfSampler.accounts.sample(&rng)
        return Draft(token: token, from: from, to: to, value: UInt256(UInt64(rng.below(10_000))), isERC721: true)
    }

    private static let powersOfTen: [UInt64] = (0...19).map { exponent in
        (0..<exponent).reduce(UInt64(1)) { product, _ in product * 10 }
    }

    private func value(_ profile: SimulatedToken.ValueProfile, _ rng: inout SplitMix64) -> UInt256 {
        switch profile {
        case .stablecoin:
            let scale = Self.powersOfTen[rng.int(in: 4...12)]
            return UInt256(UInt64(rng.int(in: 1...9)) * scale + UInt64(rng.below(Int(scale))))
        case .eighteenDecimals:
            let mantissa = UInt256(UInt64(rng.int(in: 1...999_999_999)))
            let scale = Self.powersOfTen[rng.int(in: 6...14)]
            return mantissa.multipliedReportingOverflow(by: scale, adding: UInt64(rng.below(Int(scale))))!
        case .unknownDecimals:
            return UInt256(UInt64(rng.int(in: 1...1_000_000)))
        case .spam:
            return UInt256(Self.powersOfTen[rng.int(in: 0...6)])
        case .huge:
            if rng.below(1_000) < 5 { return .max }
            let bits = rng.int(in: 65...255)
            var words = [rng.next(), rng.next(), rng.next(), rng.next()]
            for index in 0..<4 {
                let low = index * 64
                if bits <= low {
                    words[index] = 0
                } else if bits < low + 64 {
                    words[index] &= (UInt64(1) << UInt64(bits - low)) - 1
                    words[index] |= UInt64(1) << UInt64(bits - low - 1)
                }
            }
            return UInt256(words: (words[0], words[1], words[2], words[3]))
        case .collectible:
            return UInt256(UInt64(rng.below(10_000)))
        }
    }
}

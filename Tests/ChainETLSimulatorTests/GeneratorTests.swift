import ChainETLCore
import Testing

@testable import ChainETLSimulator

@Suite("Chain generator")
struct GeneratorTests {
    private func fingerprint(_ block: SimulatedBlock) -> [String] {
        [block.hash, String(block.timestamp)]
            + block.transactions.map { "\($0.transactionIndex) \($0.hash) \($0.nonce) \($0.gas) \($0.gasPrice)" }
            + block.logs.map { "\($0.logIndex) \($0.tokenAddress) \($0.fromAddress) \($0.toAddress) \($0.value)" }
    }

    @Test func sameSeedGivesIdenticalBlocksInAnyOrder() {
        let configuration = GeneratorConfiguration(seed: 7)
        let first = ChainGenerator(chainID: 1, configuration: configuration)!
        let second = ChainGenerator(chainID: 1, configuration: configuration)!
        let numbers = [2_188_800, 5, 2_195_999, 1_000_000, 2_188_801]
        let forward = numbers.map { fingerprint(first.block($0)) }
        // The second generator sees other blocks first and the same ones in reverse order.
        _ = (0..<50).map { second.block($0) }
        let backward = numbers.reversed().map { fingerprint(second.block($0)) }
        #expect(forward == backward.reversed())
        #expect(forward.contains { $0.count > 2 })
    }

    @Test func seedsAndChainsChangeTheContent() {
        let one = ChainGenerator(chainID: 1, configuration: GeneratorConfiguration(seed: 1))!
        let two = ChainGenerator(chainID: 1, configuration: GeneratorConfiguration(seed: 2))!
        let cronos = ChainGenerator(chainID: 25, configuration: GeneratorConfiguration(seed: 1))!
        let numbers = Array(testDayBlocks.lowerBound..<(testDayBlocks.lowerBound + 40))
        #expect(numbers.map { fingerprint(one.block($0)) } != numbers.map { fingerprint(two.block($0)) })
        #expect(numbers.map { one.block($0).hash } != numbers.map { cronos.block($0).hash })
    }

    @Test func tokensAreFixedPerChainAndCoverTheQuirks() {
        let ethereum = SimulatedChain.tokens(chainID: 1)
        let cronos = SimulatedChain.tokens(chainID: 25)
        #expect(ethereum.map(\.symbol) == ["USDC", "WETH", "DAI", "NODEC", "🎁CLAIM", "HUGE", "SIMPUNK"])
        #expect(Set(ethereum.map(\.address)).isDisjoint(with: cronos.map(\.address)))
        #expect(ethereum.allSatisfy { $0.address.count == 42 && $0.address == $0.address.lowercased() })
        #expect(ethereum.first { $0.decimals.isEmpty }?.decimalsValue == nil)
        #expect(ethereum.contains { $0.name == "USD-SWAP˳COM" })
        #expect(ethereum.filter { !$0.isERC20 }.count == 1)
        #expect(SimulatedChain.tokens(chainID: 999).isEmpty)
        #expect(SimulatedChain.tokens(chainID: 10).count == 7)
    }

    @Test func dayMapsToAnExactBlockRange() throws {
        for chain in SimulatedChain.all {
            let range = try #require(chain.blocks(on: testDay))
            #expect(chain.timestamp(ofBlock: range.lowerBound) == testDay.startUnixSeconds)
            #expect(chain.timestamp(ofBlock: range.upperBound + 1) == testDay.endUnixSeconds)
            #expect(range.count == 86_400 / chain.blockIntervalSeconds)
        }
        let ethereum = SimulatedChain.chain(id: 1)!
        #expect(ethereum.head(atUnixTime: ethereum.timestamp(ofBlock: 100) + 5) == 99)
        #expect(ethereum.head(atUnixTime: SimulatedChain.genesisUnixSeconds - 1) == -1)
        #expect(ethereum.blocks(on: PartitionDay("2025-12-31")!) == nil)
    }

    @Test func logsAreOrderedAndTransactionsConsistent() {
        let generator = ChainGenerator(chainID: 1, configuration: GeneratorConfiguration())!
        for number in testDayBlocks.lowerBound..<(testDayBlocks.lowerBound + 500) {
            let block = generator.block(number)
            #expect(zip(block.logs, block.logs.dropFirst()).allSatisfy { $0.logIndex < $1.logIndex })
            #expect(
                zip(block.transactions, block.transactions.dropFirst()).allSatisfy {
                    $0.transactionIndex < $1.transactionIndex
                })
            #expect(
                zip(block.logs, block.logs.dropFirst()).allSatisfy { $0.transactionOrdinal <= $1.transactionOrdinal })
            #expect(block.timestamp == SimulatedChain.chain(id: 1)!.timestamp(ofBlock: number))
        }
    }

    @Test func aDayHoldsEveryQuirkTheSpecAsksFor() {
        let generator = ChainGenerator(chainID: 1, configuration: GeneratorConfiguration())!
        let huge = SimulatedChain.tokens(chainID: 1)[5]
        let twoTo64 = UInt256(words: (0, 1, 0, 0))
        var selfTransfers = 0
        var mints = 0
        var burns = 0
        var zeroValues = 0
        var identicalPairs = 0
        var multiToken = 0
        var aboveUInt64 = 0
        var maximum = 0
        var erc721 = 0
        var zeroTransactionIndex = 0
        for block in generator.blocks(testDayBlocks) {
            if block.transactions.first?.transactionIndex == 0 { zeroTransactionIndex += 1 }
            var byTransaction: [Int: [SimulatedLog]] = [:]
            for log in block.logs {
                byTransaction[log.transactionOrdinal, default: []].append(log)
                if log.isERC721 {
                    erc721 += 1
                    continue
                }
                if log.fromAddress == log.toAddress { selfTransfers += 1 }
                if log.fromAddress == SimulatedChain.zeroAddress { mints += 1 }
                if log.toAddress == SimulatedChain.zeroAddress { burns += 1 }
                if log.value.isZero { zeroValues += 1 }
                if log.value >= twoTo64 { aboveUInt64 += 1 }
                if log.value == .max {
                    maximum += 1
                    #expect(log.tokenAddress == huge.address)
                }
            }
            for logs in byTransaction.values {
                if Set(logs.map(\.tokenIndex)).count > 1 { multiToken += 1 }
                let tuples = logs.filter { !$0.isERC721 }.map {
                    "\($0.tokenIndex)|\($0.fromAddress)|\($0.toAddress)|\($0.value)"
                }
                if Set(tuples).count < tuples.count { identicalPairs += 1 }
            }
        }
        #expect(selfTransfers > 50)
        #expect(mints > 50)
        #expect(burns > 50)
        #expect(zeroValues > 50)
        #expect(identicalPairs > 20)
        #expect(multiToken > 100)
        #expect(aboveUInt64 > 1_000)
        #expect(maximum > 0)
        #expect(erc721 > 100)
        #expect(zeroTransactionIndex > 100)
    }

    @Test func denseBlocksCarryMoreThanAWindowOfOneToken() throws {
        let generator = ChainGenerator(chainID: 1, configuration: GeneratorConfiguration(denseBlockEvery: 1_000))!
        let dense = try #require(generator.denseToken(forBlock: 2_189_000))
        let block = generator.block(2_189_000)
        #expect(block.logs.filter { $0.tokenAddress == dense.address }.count > 1_000)
        #expect(generator.denseToken(forBlock: 2_189_001) == nil)
        #expect(generator.block(2_189_001).logs.count < 100)
        let plain = ChainGenerator(chainID: 1, configuration: GeneratorConfiguration())!
        #expect(plain.denseToken(forBlock: 2_189_000) == nil)
    }

    @Test func densityFollowsTransfersPerDay() {
        let generator = ChainGenerator(chainID: 25, configuration: GeneratorConfiguration(transfersPerDay: 500))!
        let range = SimulatedChain.chain(id: 25)!.blocks(on: testDay)!
        let count = generator.blocks(range).reduce(0) { total, block in
            total + block.logs.filter { $0.tokenIndex == 0 }.count
        }
        // Poisson mean 500 plus ~2 % identical repeats: far outside this band means a broken rate.
        #expect((440...600).contains(count))
    }
}

import ChainETLCore
import Foundation
import Testing

@testable import ChainETLSimulator

@Suite("Simulator: simulated reorgs")
struct ReorgTests {
    static let base = GeneratorConfiguration(seed: 5, transfersPerDay: 3_000)

    static func generator(_ reorgs: [SimulatedReorg]) -> ChainGenerator {
        var configuration = base
        configuration.reorgs = reorgs
        return ChainGenerator(chainID: 1, configuration: configuration)!
    }

    /// A block of chain 1 with ERC-20 transfers, so a replacement visibly changes them.
    static let block: Int = {
        let plain = generator([])
        return (200_000...).first { number in plain.block(number).logs.contains { !$0.isERC721 } }!
    }()

    @Test func aReorgReplacesOnlyItsBlockDeterministically() {
        let plain = Self.generator([])
        let reorg = SimulatedReorg(chainID: 1, block: Self.block, salt: 3)
        let reorged = Self.generator([reorg])
        let before = plain.block(Self.block)
        let after = reorged.block(Self.block)
        #expect(after.hash != before.hash)
        #expect(after.number == before.number)
        #expect(after.timestamp == before.timestamp)
        #expect(after.transactions.map(\.hash) != before.transactions.map(\.hash))
        // Deterministic: the same reorg gives the same block; another salt another block.
        #expect(Self.generator([reorg]).block(Self.block).hash == after.hash)
        var otherSalt = reorg
        otherSalt.salt = 4
        #expect(Self.generator([otherSalt]).block(Self.block).hash != after.hash)
        // Neighbours and other chains are untouched.
        for number in [Self.block - 1, Self.block + 1] {
            #expect(reorged.block(number).hash == plain.block(number).hash)
            #expect(reorged.block(number).logs.count == plain.block(number).logs.count)
        }
        var chain10 = Self.base
        chain10.reorgs = [reorg]
        #expect(
            ChainGenerator(chainID: 10, configuration: chain10)!.block(Self.block).hash
                == ChainGenerator(chainID: 10, configuration: Self.base)!.block(Self.block).hash)
    }

    @Test func aHashOnlyReorgKeepsEveryTransfer() {
        let before = Self.generator([]).block(Self.block)
        let after = Self.generator([SimulatedReorg(chainID: 1, block: Self.block, salt: 3, keepsTransfers: true)])
            .block(Self.block)
        #expect(after.hash != before.hash)
        #expect(after.hash.count == 66 && after.hash.hasPrefix("0x"))
        #expect(after.transactions.map(\.hash) == before.transactions.map(\.hash))
        #expect(after.logs.map(\.logIndex) == before.logs.map(\.logIndex))
        #expect(after.logs.map(\.value) == before.logs.map(\.value))
        #expect(after.logs.map(\.toAddress) == before.logs.map(\.toAddress))
    }

    @Test func theGroundTruthFollowsTheReorg() throws {
        let chain = try #require(SimulatedChain.chain(id: 1))
        let day = PartitionDay(
            containing: Date(timeIntervalSince1970: TimeInterval(chain.timestamp(ofBlock: Self.block))))
        func truth(_ reorgs: [SimulatedReorg], _ day: PartitionDay) throws -> GroundTruthReport {
            try GroundTruth.compute(
                seed: Self.base.seed, chainID: 1, from: day, to: day, transfersPerDay: Self.base.transfersPerDay,
                reorgs: reorgs)
        }
        let reorg = SimulatedReorg(chainID: 1, block: Self.block, salt: 3)
        let before = try truth([], day)
        let after = try truth([reorg], day)
        #expect(before.transfers != after.transfers)
        func hashes(_ report: GroundTruthReport) throws -> [String] {
            try #require(report.transfers).filter { $0.blockNumber == Self.block }.map(\.txHash).sorted()
        }
        func hashes(_ block: SimulatedBlock) -> [String] {
            block.logs.filter { !$0.isERC721 }.map { block.transaction(of: $0).hash }.sorted()
        }
        #expect(try hashes(before) == hashes(Self.generator([]).block(Self.block)))
        #expect(try hashes(after) == hashes(Self.generator([reorg]).block(Self.block)))
        #expect(try hashes(after) != hashes(before))
        // Another day is not affected.
        #expect(try truth([reorg], day.advanced(by: -1)) == truth([], day.advanced(by: -1)))
    }

    @Test func theReorgOptionParses() throws {
        #expect(try SimulatedReorg(parsing: "1:1234") == SimulatedReorg(chainID: 1, block: 1234, salt: 1))
        #expect(
            try SimulatedReorg(parsing: "10:7:9:hash")
                == SimulatedReorg(chainID: 10, block: 7, salt: 9, keepsTransfers: true))
        #expect(SimulatedReorg(chainID: 10, block: 7, salt: 9, keepsTransfers: true).description == "10:7:9:hash")
        #expect(throws: SimulatorError.unsupportedChain(99)) { try SimulatedReorg(parsing: "99:1") }
        for bad in ["1", "x:1", "1:-3", "1:2:salt", "1:2:3:content", "1:2:3:hash:extra"] {
            #expect(throws: SimulatorError.self, "\(bad)") { try SimulatedReorg(parsing: bad) }
        }
        var configuration = SimulatorConfiguration()
        configuration.reorgs = [SimulatedReorg(chainID: 1, block: 5)]
        #expect(configuration.generator.reorgs == [SimulatedReorg(chainID: 1, block: 5)])
    }
}

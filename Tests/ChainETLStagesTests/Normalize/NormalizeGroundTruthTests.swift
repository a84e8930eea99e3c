import ChainETLCore
import ChainETLSimulator
import ChainETLTestSupport
import Testing

@testable import ChainETLStages

@Suite("Normalize + dedupe against the simulator's ground truth")
struct NormalizeGroundTruthTests {
    @Test(
        "a day of simulated rows from all five endpoints normalizes and dedupes to exactly the true transfer set",
        arguments: [1, 25])
    func matchesGroundTruth(chainID: Int) throws {
        let day = PartitionDay("2026-11-20")!
        let seed: UInt64 = 7
        let transfersPerDay = 120
        let chain = try #require(SimulatedChain.chain(id: chainID))
        let generator = ChainGenerator(
            chain: chain, configuration: GeneratorConfiguration(seed: seed, transfersPerDay: transfersPerDay))
        let blocks = try #require(chain.blocks(on: day))

        // One raw input per endpoint, each sorted by block as extract writes it.
        var inputs: [[[UInt8]]] = Array(repeating: [], count: ExplorerRowFormat.allCases.count)
        var row = JSONLineWriter()
        for number in blocks {
            let block = generator.block(number)
            for position in block.logs.indices {
                for (index, format) in ExplorerRowFormat.allCases.enumerated() {
                    row.reset()
                    guard block.writeExplorerRow(format, logAt: position, head: blocks.upperBound + 100, into: &row)
                    else {
                        continue
                    }
                    inputs[index].append(RawLine.make(source: format.rawValue, chainID: chainID, row: row.bytes))
                }
            }
        }

        let tokens = TokenMetadataLookup(
            chain.tokens.map {
                TokenMetadata(address: $0.address, symbol: $0.symbol, name: $0.name, decimals: $0.decimalsValue)
            })
        var normalizer = TransferNormalizer(chainID: chainID, partition: day, tokens: tokens)
        var quarantine = JSONLineWriter()
        var outputs: [ByteLineSource] = []
        for (index, lines) in inputs.enumerated() {
            normalizer.beginInput()
            var records = JSONLineWriter()
            for (number, line) in lines.enumerated() {
                try normalizer.normalize(line: line, lineNumber: number + 1, records: &records, quarantine: &quarantine)
            }
            outputs.append(ByteLineSource(name: ExplorerRowFormat.allCases[index].rawValue, bytes: records.bytes))
        }
        #expect(quarantine.bytes.isEmpty, "\(String(decoding: quarantine.bytes.prefix(2_000), as: UTF8.self))")
        #expect(normalizer.counts.isBalanced)

        var deduplicator = TransferDeduplicator()
        var kept: [TransferRecord] = []
        try deduplicator.deduplicate(outputs) { line in kept.append(try TransferRecord(parsing: Array(line))) }
        #expect(deduplicator.counts.isBalanced)

        let truth = try GroundTruth.compute(
            seed: seed, chainID: chainID, from: day, to: day, transfersPerDay: transfersPerDay)
        let expected = try #require(truth.transfers)
        try #require(!expected.isEmpty)
        #expect(kept.count == expected.count)
        #expect(Set(kept.map(\.transferID)) == Set(expected.map(\.transferID)))
        #expect(kept.map(\.blockNumber) == kept.map(\.blockNumber).sorted())
        // Each endpoint (Blockscout v2 included) carries every transfer once: all copies but the
        // first are duplicates, so v2 rows have the same transfer_id as the other sources.
        #expect(deduplicator.counts.duplicates == (ExplorerRowFormat.allCases.count - 1) * expected.count)
        #expect(ExplorerRowFormat.allCases.contains(.blockscoutV2))
        // ERC-721 logs appear in both getLogs formats and are excluded there.
        #expect(normalizer.counts.excludedByReason["erc721_transfer"] == 2 * truth.erc721LogsExcluded)
        #expect(normalizer.counts.excluded == 2 * truth.erc721LogsExcluded)

        let byID = Dictionary(uniqueKeysWithValues: expected.map { ($0.transferID, $0) })
        var sum = AmountSum()
        var expectedSum = AmountSum()
        for record in kept {
            let want = try #require(byID[record.transferID])
            #expect(record.value.description == want.value)
            #expect(record.fromAddress == want.fromAddress && record.toAddress == want.toAddress)
            #expect(record.blockNumber == want.blockNumber && record.blockTimeText == want.blockTime)
            #expect(record.occurrence == want.occurrence)
            #expect(record.logIndex == want.logIndex)  // the first copy kept is the getLogs one
            sum.add(record.value)
            expectedSum.add(try #require(UInt256(decimal: want.value)))
        }
        #expect(sum == expectedSum)
        #expect(kept.contains { $0.occurrence == 1 })
        #expect(kept.contains { $0.tokenDecimals == nil })
    }
}

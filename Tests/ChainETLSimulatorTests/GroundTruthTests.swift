import ChainETLCore
import Foundation
import Testing

@testable import ChainETLSimulator

@Suite("Ground truth")
struct GroundTruthTests {
    /// Chain 25 at 400 transfers/day keeps a day of one token inside one 1,000-row page.
    let transfersPerDay = 400
    let chain = SimulatedChain.chain(id: 25)!

    @Test func matchesABruteForceRecountOfTheServedRows() throws {
        let truth = try GroundTruth.compute(
            seed: 9, chainID: 25, from: testDay, to: testDay, transfersPerDay: transfersPerDay, includeTransfers: false)
        let service = makeService(
            SimulatorConfiguration(
                generator: GeneratorConfiguration(seed: 9, transfersPerDay: transfersPerDay), fixedNow: pinnedNow))
        let blocks = try #require(chain.blocks(on: testDay))
        let zero = SimulatedChain.zeroAddress
        for token in chain.tokens where token.isERC20 {
            var rows: [[String: Any]] = []
            for page in 1...10 {
                let batch = try service.get(
                    "/v2/api?chainid=25&module=account&action=tokentx&contractaddress=\(token.address)&startblock=\(blocks.lowerBound)&endblock=\(blocks.upperBound)&page=\(page)&offset=1000&sort=asc"
                ).rows()
                rows += batch
                if batch.count < 1_000 { break }
            }
            var volume = AmountSum()
            var mints = AmountSum()
            var count = 0
            var burns = 0
            var senders = Set<String>()
            for row in rows {
                let from = try #require(row["from"] as? String)
                let to = try #require(row["to"] as? String)
                let text = try #require(row["value"] as? String)
                let value = try #require(UInt256(decimal: text))
                if from == zero {
                    mints.add(value)
                } else if to == zero {
                    burns += 1
                } else if from != to {
                    count += 1
                    volume.add(value)
                    senders.insert(from)
                }
            }
            let daily = try #require(truth.daily.first { $0.tokenAddress == token.address })
            #expect(daily.allTransferCount == rows.count)
            #expect(daily.transferCount == count)
            #expect(daily.volumeRaw == volume.description)
            #expect(daily.mintRaw == mints.description)
            #expect(daily.burnCount == burns)
            #expect(daily.uniqueSenders == senders.count)
        }
        let erc721 = try service.get(
            "/v2/api?chainid=25&module=logs&action=getLogs&address=\(chain.tokens[6].address)&fromBlock=\(blocks.lowerBound)&toBlock=\(blocks.upperBound)"
        ).rows()
        #expect(erc721.count == truth.erc721LogsExcluded)
    }

    @Test func transferIDsMatchIdentitiesRebuiltFromLogs() throws {
        let truth = try GroundTruth.compute(
            seed: 9, chainID: 25, tokens: ["USDC"], from: testDay, to: testDay, transfersPerDay: transfersPerDay)
        let transfers = try #require(truth.transfers)
        #expect(Set(transfers.map(\.transferID)).count == transfers.count)
        let service = makeService(
            SimulatorConfiguration(
                generator: GeneratorConfiguration(seed: 9, transfersPerDay: transfersPerDay), fixedNow: pinnedNow))
        let blocks = try #require(chain.blocks(on: testDay))
        let rows = try service.get(
            "/v2/api?chainid=25&module=logs&action=getLogs&address=\(chain.tokens[0].address)&fromBlock=\(blocks.lowerBound)&toBlock=\(blocks.upperBound)&page=1&offset=1000"
        ).rows()
        #expect(rows.count < 1_000)
        var occurrences: [String: Int] = [:]
        var identities: [String] = []
        for row in rows {
            let topics = try #require(row["topics"] as? [String])
            let tx = try #require(row["transactionHash"] as? String)
            let data = try #require(row["data"] as? String)
            let value = try #require(UInt256(hex: data)).description
            let from = "0x" + topics[1].suffix(40)
            let to = "0x" + topics[2].suffix(40)
            let key = [tx, from, to, value].joined(separator: "|")
            let occurrence = occurrences[key, default: 0]
            occurrences[key] = occurrence + 1
            identities.append(
                TransferIdentity(
                    chainID: 25, txHash: tx, tokenAddress: chain.tokens[0].address, fromAddress: from, toAddress: to,
                    value: value, occurrence: occurrence
                ).transferID)
        }
        #expect(identities == transfers.map(\.transferID))
        let repeated = transfers.filter { $0.occurrence > 0 }
        #expect(!repeated.isEmpty)
        for second in repeated {
            let first = try #require(
                transfers.first {
                    $0.txHash == second.txHash && $0.fromAddress == second.fromAddress
                        && $0.toAddress == second.toAddress
                        && $0.value == second.value && $0.occurrence == second.occurrence - 1
                })
            #expect(first.transferID != second.transferID)
            #expect(first.logIndex < second.logIndex)
        }
    }

    @Test func aggregatesAreInternallyConsistent() throws {
        let from = testDay
        let to = testDay.advanced(by: 8)
        let truth = try GroundTruth.compute(
            seed: 3, chainID: 25, from: from, to: to, transfersPerDay: 300, includeTransfers: false)
        #expect(truth.daily.count == 6 * 9)
        #expect(truth.tokens.count == 7)
        for daily in truth.daily {
            #expect(
                daily.allTransferCount == daily.transferCount + daily.mintCount + daily.burnCount
                    + daily.selfTransferCount)
            let addresses = truth.dailyAddress.filter { $0.tokenAddress == daily.tokenAddress && $0.day == daily.day }
            #expect(DecimalText.sum(addresses.map(\.sentRaw)) == daily.volumeRaw)
            #expect(DecimalText.sum(addresses.map(\.receivedRaw)) == daily.volumeRaw)
            #expect(addresses.reduce(0) { $0 + $1.sentCount } == daily.transferCount)
            #expect(addresses.filter { $0.sentCount > 0 }.count == daily.uniqueSenders)
            let hours = truth.hourly.filter { $0.tokenAddress == daily.tokenAddress && $0.day == daily.day }
            #expect(hours.reduce(0) { $0 + $1.transferCount } == daily.transferCount)
        }
        for summary in truth.summary {
            let days = truth.daily.filter { $0.tokenAddress == summary.tokenAddress }
            let total = DecimalText.sum(days.map(\.volumeRaw))
            let week = DecimalText.sum(days.filter { $0.day > to.advanced(by: -7) }.map(\.volumeRaw))
            let mints = DecimalText.sum(days.map(\.mintRaw))
            let burns = DecimalText.sum(days.map(\.burnRaw))
            #expect(summary.volumeTotalRaw == total)
            #expect(summary.volume30dRaw == total)
            #expect(summary.volume7dRaw == week)
            #expect(summary.volume24hRaw == days.last?.volumeRaw)
            #expect(summary.transfers24h == days.last?.transferCount)
            if summary.supplyRaw.hasPrefix("-") {
                #expect(DecimalText.add(mints, String(summary.supplyRaw.dropFirst())) == burns)
            } else {
                #expect(DecimalText.add(burns, summary.supplyRaw) == mints)
            }
            let holders = truth.holders.filter { $0.tokenAddress == summary.tokenAddress }
            #expect(summary.holders == holders.filter { !$0.balanceRaw.hasPrefix("-") }.count)
            #expect(holders.allSatisfy { $0.balanceRaw != "0" && $0.holder != SimulatedChain.zeroAddress })
            #expect(summary.lastTransferAt.map { $0.hasPrefix("\(to)T") } == true)
        }
    }

    @Test func hugeTokenSumsExceedTwoToThe256() throws {
        let truth = try GroundTruth.compute(
            seed: 1, chainID: 1, tokens: ["HUGE"], from: testDay, to: testDay, includeTransfers: false)
        let daily = try #require(truth.daily.first)
        let generator = ChainGenerator(chainID: 1, configuration: GeneratorConfiguration())!
        let values = Array(
            generator.blocks(testDayBlocks).flatMap { $0.logs.filter { $0.tokenIndex == 5 }.map(\.value.description) })
        #expect(DecimalText.sum(values) == daily.allValueRaw)
        // 2^256 − 1 has 78 digits; the day's sum is larger.
        #expect(daily.allValueRaw.count >= 78)
        #expect(UInt256(decimal: daily.allValueRaw) == nil)
        #expect(truth.tokens.map(\.symbol) == ["HUGE"])
    }

    @Test func signedAmountsAreExact() {
        var big = AmountSum()
        big.add(.max)
        big.add(UInt256(2))
        var small = AmountSum()
        small.add(UInt256(5))
        #expect(
            SignedAmount(big, minus: small).description
                == UInt256.max.subtractingReportingOverflow(UInt256(3)).partialValue.description)
        #expect(SignedAmount(small, minus: big).isNegative)
        #expect(SignedAmount(small, minus: small).description == "0")
        #expect(SignedAmount(small, minus: AmountSum()).isPositive)
    }

    @Test func rejectsUnknownChainsTokensAndRanges() {
        #expect(throws: SimulatorError.unsupportedChain(56)) {
            try GroundTruth.compute(seed: 1, chainID: 56, from: testDay, to: testDay)
        }
        #expect(throws: SimulatorError.unknownToken("NOPE", chainID: 1)) {
            try GroundTruth.compute(seed: 1, chainID: 1, tokens: ["NOPE"], from: testDay, to: testDay)
        }
        #expect(throws: SimulatorError.self) {
            try GroundTruth.compute(seed: 1, chainID: 1, from: testDay, to: testDay.advanced(by: -1))
        }
    }

    @Test func reportEncodesWithSnakeCaseKeys() throws {
        let truth = try GroundTruth.compute(
            seed: 1, chainID: 100,
            tokens: [
                SimulatedChain.tokens(chainID: 100)[0].address.uppercased().replacingOccurrences(of: "0X", with: "0x")
            ], from: testDay, to: testDay)
        let json = String(decoding: try truth.jsonData(), as: UTF8.self)
        #expect(json.contains(#""volume_24h_raw""#))
        #expect(json.contains(#""transfer_id""#))
        #expect(try JSONDecoder().decode(GroundTruthReport.self, from: truth.jsonData()) == truth)
    }
}

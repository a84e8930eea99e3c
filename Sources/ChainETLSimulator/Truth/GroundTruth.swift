import ChainETLCore
import Foundation

/// Computes SPEC §7's aggregates straight from the generator, never through HTTP, so tests
/// compare the pipeline's output with an independent answer.
public enum GroundTruth {
    /// Ground truth for `chainID` over the UTC days `from...to`.
    ///
    /// - Parameters:
    ///   - tokens: token addresses (any case) or symbols; nil means every token of the chain.
    ///   - transfersPerDay, denseBlockEvery: must match the simulator that served the data.
    ///   - includeTransfers: also list every transfer with its `transfer_id` (memory grows with the range).
    ///   - reorgs: the simulated reorgs the server applies (the truth after them).
    public static func compute(
        seed: UInt64, chainID: Int, tokens: [String]? = nil, from: PartitionDay, to: PartitionDay,
        transfersPerDay: Int = GeneratorConfiguration.defaultTransfersPerDay, denseBlockEvery: Int = 0,
        includeTransfers: Bool = true, reorgs: [SimulatedReorg] = []
    ) throws(SimulatorError) -> GroundTruthReport {
        guard let chain = SimulatedChain.chain(id: chainID) else { throw .unsupportedChain(chainID) }
        guard from <= to else {
            throw .invalidOption("--from/--to", "needs --from on or before --to (\(from) > \(to))")
        }
        let selected = try selectTokens(tokens, chain: chain)
        let generator = ChainGenerator(
            chain: chain,
            configuration: GeneratorConfiguration(
                seed: seed, transfersPerDay: transfersPerDay, denseBlockEvery: denseBlockEvery, reorgs: reorgs))
        var accumulator = Accumulator(chain: chain, from: from, to: to, includeTransfers: includeTransfers)
        let firstBlock = chain.blocks(on: from)?.lowerBound ?? chain.blocks(on: to)?.lowerBound
        let lastBlock = chain.blocks(on: to)?.upperBound
        let isSelected = (0..<chain.tokens.count).map { selected.contains($0) }
        if let firstBlock, let lastBlock, firstBlock <= lastBlock {
            for number in firstBlock...lastBlock {
                accumulator.add(generator.block(number), isSelected: isSelected)
            }
        }
        return accumulator.report(
            seed: seed, transfersPerDay: transfersPerDay, denseBlockEvery: denseBlockEvery,
            tokens: selected.sorted().map { chain.tokens[$0] }, firstBlock: firstBlock, lastBlock: lastBlock)
    }

    private static func selectTokens(_ names: [String]?, chain: SimulatedChain) throws(SimulatorError) -> Set<Int> {
        guard let names else { return Set(chain.tokens.indices) }
        var selected = Set<Int>()
        for name in names {
            let wanted = name.trimmingCharacters(in: .whitespaces)
            guard let token = chain.tokens.first(where: { $0.address == wanted.lowercased() || $0.symbol == wanted })
            else {
                throw .unknownToken(wanted, chainID: chain.chainID)
            }
            selected.insert(token.index)
        }
        return selected
    }

    /// UTC ISO-8601 text of a unix time, e.g. `2026-11-20T00:00:12Z`.
    static func isoTime(_ unixSeconds: Int) -> String {
        let day = PartitionDay(daysSinceEpoch: unixSeconds / 86_400)
        let seconds = unixSeconds % 86_400
        let clock = [seconds / 3_600, seconds / 60 % 60, seconds % 60].map { $0 < 10 ? "0\($0)" : "\($0)" }
        return "\(day)T\(clock.joined(separator: ":"))Z"
    }
}

/// Running sums over the generated blocks, in integer keys for speed.
private struct Accumulator {
    struct Day {
        var allCount = 0
        var allValue = AmountSum()
        var count = 0
        var volume = AmountSum()
        var senders = Set<Int>()
        var receivers = Set<Int>()
        var mintCount = 0
        var mintValue = AmountSum()
        var burnCount = 0
        var burnValue = AmountSum()
        var selfCount = 0
    }

    struct AddressDay {
        var sent = AmountSum()
        var received = AmountSum()
        var sentCount = 0
        var receivedCount = 0
    }

    struct Balance {
        var inflow = AmountSum()
        var outflow = AmountSum()
        var firstSeen = Int.max
        var lastActive = Int.min

        mutating func touch(_ time: Int) {
            firstSeen = min(firstSeen, time)
            lastActive = max(lastActive, time)
        }
    }

    struct Hour {
        var count = 0
        var volume = AmountSum()
    }

    struct IdentityKey: Hashable {
        var token: Int
        var from: Int
        var to: Int
        var value: UInt256
    }

    let chain: SimulatedChain
    let from: PartitionDay
    let to: PartitionDay
    let includeTransfers: Bool
    let tokenCount: Int
    let dayCount: Int
    let accountSlots = SimulatedChain.accountPopulation + 1
    var days: [Day]
    var hours: [Hour]
    var addressDays: [Int: AddressDay] = [:]
    var balances: [Int: Balance] = [:]
    var lastTransferTime: [Int?]
    var erc721Excluded = 0
    var transfers: [GroundTruthReport.TransferRecord] = []

    init(chain: SimulatedChain, from: PartitionDay, to: PartitionDay, includeTransfers: Bool) {
        self.chain = chain
        self.from = from
        self.to = to
        self.includeTransfers = includeTransfers
        tokenCount = chain.tokens.count
        dayCount = to.daysSinceEpoch - from.daysSinceEpoch + 1
        days = Array(repeating: Day(), count: tokenCount * dayCount)
        hours = Array(repeating: Hour(), count: tokenCount * dayCount * 24)
        lastTransferTime = Array(repeating: nil, count: tokenCount)
    }

    mutating func add(_ block: SimulatedBlock, isSelected: [Bool]) {
        let dayOffset = block.timestamp / 86_400 - from.daysSinceEpoch
        guard dayOffset >= 0, dayOffset < dayCount else { return }
        let hour = block.timestamp % 86_400 / 3_600
        var occurrences: [IdentityKey: Int] = [:]
        var currentTransaction = -1
        for log in block.logs where isSelected[log.tokenIndex] {
            if log.isERC721 {
                erc721Excluded += 1
                continue
            }
            let token = log.tokenIndex
            let from = log.fromAccount
            let to = log.toAccount
            let dayIndex = token * dayCount + dayOffset
            days[dayIndex].allCount += 1
            days[dayIndex].allValue.add(log.value)
            lastTransferTime[token] = block.timestamp

            balances[token * accountSlots + to, default: Balance()].inflow.add(log.value)
            balances[token * accountSlots + to]!.touch(block.timestamp)
            balances[token * accountSlots + from, default: Balance()].outflow.add(log.value)
            balances[token * accountSlots + from]!.touch(block.timestamp)

            if from == 0 {
                days[dayIndex].mintCount += 1
                days[dayIndex].mintValue.add(log.value)
            } else if to == 0 {
                days[dayIndex].burnCount += 1
                days[dayIndex].burnValue.add(log.value)
            } else if from == to {
                days[dayIndex].selfCount += 1
            } else {
                days[dayIndex].count += 1
                days[dayIndex].volume.add(log.value)
                days[dayIndex].senders.insert(from)
                days[dayIndex].receivers.insert(to)
                let hourIndex = dayIndex * 24 + hour
                hours[hourIndex].count += 1
                hours[hourIndex].volume.add(log.value)
                let base = dayIndex * accountSlots
                addressDays[base + from, default: AddressDay()].sent.add(log.value)
                addressDays[base + from]!.sentCount += 1
                addressDays[base + to, default: AddressDay()].received.add(log.value)
                addressDays[base + to]!.receivedCount += 1
            }

            if includeTransfers {
                if log.transactionOrdinal != currentTransaction {
                    currentTransaction = log.transactionOrdinal
                    occurrences.removeAll(keepingCapacity: true)
                }
                let key = IdentityKey(token: token, from: from, to: to, value: log.value)
                let occurrence = occurrences[key, default: 0]
                occurrences[key] = occurrence + 1
                let transaction = block.transaction(of: log)
                let identity = TransferIdentity(
                    chainID: chain.chainID, txHash: transaction.hash, tokenAddress: log.tokenAddress,
                    fromAddress: log.fromAddress, toAddress: log.toAddress, value: log.value.description,
                    occurrence: occurrence)
                transfers.append(
                    GroundTruthReport.TransferRecord(
                        transferID: identity.transferID, blockNumber: block.number,
                        blockTime: GroundTruth.isoTime(block.timestamp), txHash: transaction.hash,
                        logIndex: log.logIndex,
                        occurrence: occurrence, tokenAddress: log.tokenAddress, fromAddress: log.fromAddress,
                        toAddress: log.toAddress, value: identity.value))
            }
        }
    }

    func report(
        seed: UInt64, transfersPerDay: Int, denseBlockEvery: Int, tokens: [SimulatedToken], firstBlock: Int?,
        lastBlock: Int?
    ) -> GroundTruthReport {
        let erc20 = tokens.filter(\.isERC20).sorted { $0.address < $1.address }
        var daily: [GroundTruthReport.DailyTokenVolume] = []
        var dailyAddress: [GroundTruthReport.DailyAddressVolume] = []
        var hourly: [GroundTruthReport.HourlyVolume] = []
        var holders: [GroundTruthReport.HolderBalance] = []
        var summary: [GroundTruthReport.TokenSummary] = []
        for token in erc20 {
            var volume7d = AmountSum()
            var volume30d = AmountSum()
            var volumeTotal = AmountSum()
            var mints = AmountSum()
            var burns = AmountSum()
            for offset in 0..<dayCount {
                let day = from.advanced(by: offset)
                let totals = days[token.index * dayCount + offset]
                let ageInDays = dayCount - 1 - offset
                if ageInDays < 7 { volume7d.add(totals.volume) }
                if ageInDays < 30 { volume30d.add(totals.volume) }
                volumeTotal.add(totals.volume)
                mints.add(totals.mintValue)
                burns.add(totals.burnValue)
                if totals.allCount > 0 {
                    daily.append(
                        GroundTruthReport.DailyTokenVolume(
                            tokenAddress: token.address, day: day, allTransferCount: totals.allCount,
                            allValueRaw: totals.allValue.description, transferCount: totals.count,
                            volumeRaw: totals.volume.description, uniqueSenders: totals.senders.count,
                            uniqueReceivers: totals.receivers.count, mintCount: totals.mintCount,
                            mintRaw: totals.mintValue.description, burnCount: totals.burnCount,
                            burnRaw: totals.burnValue.description, selfTransferCount: totals.selfCount))
                }
                for hour in 0..<24 {
                    let slot = hours[(token.index * dayCount + offset) * 24 + hour]
                    guard slot.count > 0 else { continue }
                    hourly.append(
                        GroundTruthReport.HourlyVolume(
                            tokenAddress: token.address, day: day, hour: hour, transferCount: slot.count,
                            volumeRaw: slot.volume.description))
                }
                var rows: [GroundTruthReport.DailyAddressVolume] = []
                let base = (token.index * dayCount + offset) * accountSlots
                for account in 1..<accountSlots {
                    guard let entry = addressDays[base + account] else { continue }
                    rows.append(
                        GroundTruthReport.DailyAddressVolume(
                            tokenAddress: token.address, address: chain.accountAddress(account), day: day,
                            sentRaw: entry.sent.description, receivedRaw: entry.received.description,
                            sentCount: entry.sentCount, receivedCount: entry.receivedCount))
                }
                dailyAddress.append(contentsOf: rows.sorted { $0.address < $1.address })
            }
            var holderRows: [GroundTruthReport.HolderBalance] = []
            var positive = 0
            for account in 1..<accountSlots {
                guard let balance = balances[token.index * accountSlots + account] else { continue }
                let amount = SignedAmount(balance.inflow, minus: balance.outflow)
                guard !amount.isZero else { continue }
                if amount.isPositive { positive += 1 }
                holderRows.append(
                    GroundTruthReport.HolderBalance(
                        tokenAddress: token.address, holder: chain.accountAddress(account),
                        balanceRaw: amount.description,
                        firstSeen: GroundTruth.isoTime(balance.firstSeen),
                        lastActive: GroundTruth.isoTime(balance.lastActive)))
            }
            holders.append(contentsOf: holderRows.sorted { $0.holder < $1.holder })
            let lastDay = days[token.index * dayCount + dayCount - 1]
            summary.append(
                GroundTruthReport.TokenSummary(
                    tokenAddress: token.address, asOf: to, volume24hRaw: lastDay.volume.description,
                    volume7dRaw: volume7d.description, volume30dRaw: volume30d.description,
                    volumeTotalRaw: volumeTotal.description, transfers24h: lastDay.count,
                    uniqueSenders24h: lastDay.senders.count, holders: positive,
                    supplyRaw: SignedAmount(mints, minus: burns).description,
                    lastTransferAt: lastTransferTime[token.index].map(GroundTruth.isoTime)))
        }
        return GroundTruthReport(
            chainID: chain.chainID, seed: seed, transfersPerDay: transfersPerDay, denseBlockEvery: denseBlockEvery,
            from: from, to: to, firstBlock: firstBlock, lastBlock: lastBlock, tokens: tokens,
            erc721LogsExcluded: erc721Excluded, daily: daily, dailyAddress: dailyAddress, holders: holders,
            summary: summary, hourly: hourly, transfers: includeTransfers ? transfers : nil)
    }
}

extension AmountSum {
    /// Adds another exact sum (both words).
    fileprivate mutating func add(_ other: AmountSum) {
        add(other.low)
        for _ in 0..<other.high {
            add(.max)
            add(UInt256(1))
        }
    }
}

import ChainETLCore
import Foundation

/// Ground-truth aggregates for one chain and day range, with SPEC §7's definitions, computed
/// straight from the generator. Amounts are decimal strings (signed where noted).
///
/// Rows exist only where something happened (no zero rows), sorted by token address, then day,
/// then address/hour, like a SQL `GROUP BY … ORDER BY`. ERC-721 logs are excluded and counted.
public struct GroundTruthReport: Sendable, Codable, Equatable {
    public var chainID: Int
    public var seed: UInt64
    public var transfersPerDay: Int
    public var denseBlockEvery: Int
    public var from: PartitionDay
    public var to: PartitionDay
    /// The block range covering the days; nil when the days precede genesis.
    public var firstBlock: Int?
    public var lastBlock: Int?
    /// The tokens asked for (all of the chain when no filter was given).
    public var tokens: [SimulatedToken]
    /// ERC-721 Transfer logs of the selected tokens that the ERC-20 aggregates exclude.
    public var erc721LogsExcluded: Int
    public var daily: [DailyTokenVolume]
    public var dailyAddress: [DailyAddressVolume]
    /// Non-zero balances over the range (negative ones included; `holders` counts positive ones).
    public var holders: [HolderBalance]
    public var summary: [TokenSummary]
    public var hourly: [HourlyVolume]
    /// Every ERC-20 transfer with its `transfer_id`; nil unless asked for.
    public var transfers: [TransferRecord]?

    /// `daily_token_volume` plus the all-transfer count and value sum of the day.
    public struct DailyTokenVolume: Sendable, Codable, Equatable {
        public var tokenAddress: String
        public var day: PartitionDay
        /// Every ERC-20 transfer (mints, burns, self-transfers and zero values included).
        public var allTransferCount: Int
        public var allValueRaw: String
        /// Over volume transfers: from ≠ to, neither the zero address.
        public var transferCount: Int
        public var volumeRaw: String
        public var uniqueSenders: Int
        public var uniqueReceivers: Int
        public var mintCount: Int
        public var mintRaw: String
        public var burnCount: Int
        public var burnRaw: String
        public var selfTransferCount: Int

        enum CodingKeys: String, CodingKey {
            case tokenAddress = "token_address"
            case day
            case allTransferCount = "all_transfer_count"
            case allValueRaw = "all_value_raw"
            case transferCount = "transfer_count"
            case volumeRaw = "volume_raw"
            case uniqueSenders = "unique_senders"
            case uniqueReceivers = "unique_receivers"
            case mintCount = "mint_count"
            case mintRaw = "mint_raw"
            case burnCount = "burn_count"
            case burnRaw = "burn_raw"
            case selfTransferCount = "self_transfer_count"
        }
    }

    /// `daily_address_volume`, over volume transfers.
    public struct DailyAddressVolume: Sendable, Codable, Equatable {
        public var tokenAddress: String
        public var address: String
        public var day: PartitionDay
        public var sentRaw: String
        public var receivedRaw: String
        public var sentCount: Int
        public var receivedCount: Int

        enum CodingKeys: String, CodingKey {
            case tokenAddress = "token_address"
            case address, day
            case sentRaw = "sent_raw"
            case receivedRaw = "received_raw"
            case sentCount = "sent_count"
            case receivedCount = "received_count"
        }
    }

    /// `holder_balances`: inflows − outflows (mints and burns included) over the range.
    public struct HolderBalance: Sendable, Codable, Equatable {
        public var tokenAddress: String
        public var holder: String
        /// Signed decimal.
        public var balanceRaw: String
        /// ISO-8601 UTC block time of the first and last transfer touching the holder.
        public var firstSeen: String
        public var lastActive: String

        enum CodingKeys: String, CodingKey {
            case tokenAddress = "token_address"
            case holder
            case balanceRaw = "balance_raw"
            case firstSeen = "first_seen"
            case lastActive = "last_active"
        }
    }

    /// `token_summary` as of the end of the range's last day (24h = that day; 7d/30d clipped to the range).
    public struct TokenSummary: Sendable, Codable, Equatable {
        public var tokenAddress: String
        public var asOf: PartitionDay
        public var volume24hRaw: String
        public var volume7dRaw: String
        public var volume30dRaw: String
        public var volumeTotalRaw: String
        public var transfers24h: Int
        public var uniqueSenders24h: Int
        public var holders: Int
        /// Mints − burns over the range, signed decimal.
        public var supplyRaw: String
        /// Block time of the latest ERC-20 transfer of any kind, nil when none.
        public var lastTransferAt: String?

        enum CodingKeys: String, CodingKey {
            case tokenAddress = "token_address"
            case asOf = "as_of"
            case volume24hRaw = "volume_24h_raw"
            case volume7dRaw = "volume_7d_raw"
            case volume30dRaw = "volume_30d_raw"
            case volumeTotalRaw = "volume_total_raw"
            case transfers24h = "transfers_24h"
            case uniqueSenders24h = "unique_senders_24h"
            case holders
            case supplyRaw = "supply_raw"
            case lastTransferAt = "last_transfer_at"
        }
    }

    /// Hourly volume distribution (volume transfers), only hours with transfers.
    public struct HourlyVolume: Sendable, Codable, Equatable {
        public var tokenAddress: String
        public var day: PartitionDay
        public var hour: Int
        public var transferCount: Int
        public var volumeRaw: String

        enum CodingKeys: String, CodingKey {
            case tokenAddress = "token_address"
            case day, hour
            case transferCount = "transfer_count"
            case volumeRaw = "volume_raw"
        }
    }

    /// One ERC-20 transfer and its identity.
    public struct TransferRecord: Sendable, Codable, Equatable {
        public var transferID: String
        public var blockNumber: Int
        public var blockTime: String
        public var txHash: String
        public var logIndex: Int
        public var occurrence: Int
        public var tokenAddress: String
        public var fromAddress: String
        public var toAddress: String
        public var value: String

        enum CodingKeys: String, CodingKey {
            case transferID = "transfer_id"
            case blockNumber = "block_number"
            case blockTime = "block_time"
            case txHash = "tx_hash"
            case logIndex = "log_index"
            case occurrence
            case tokenAddress = "token_address"
            case fromAddress = "from_address"
            case toAddress = "to_address"
            case value
        }
    }

    enum CodingKeys: String, CodingKey {
        case chainID = "chain_id"
        case seed
        case transfersPerDay = "transfers_per_day"
        case denseBlockEvery = "dense_block_every"
        case from, to
        case firstBlock = "first_block"
        case lastBlock = "last_block"
        case tokens
        case erc721LogsExcluded = "erc721_logs_excluded"
        case daily
        case dailyAddress = "daily_address"
        case holders, summary
        case hourly, transfers
    }

    /// Compact JSON with sorted keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

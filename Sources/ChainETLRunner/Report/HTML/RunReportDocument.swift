import ChainETLCore
import ChainETLExplorers
import Foundation

/// What the HTML run report shows: the run, its units, its events and the daily volume of its top tokens.
///
/// A plain value so the renderer stays pure; `RunReportDocument(report:dailyVolumes:)` maps the
/// runner's JSON `RunReport` onto it.
public struct RunReportDocument: Sendable, Equatable {
    public var pipeline: String
    public var runID: String
    /// `running`, `succeeded`, `failed`, `locked` or `invalid`.
    public var status: String
    public var partitions: [PartitionDay]
    public var startedAt: Date
    public var finishedAt: Date?
    /// The run's one-line summary.
    public var summary: String
    /// What to type to resume, when something failed.
    public var resumeCommand: String?
    public var units: [Unit]
    public var events: [Event]
    /// Daily volume of the top tokens, in the order the chart should list them (largest first).
    public var dailyVolumes: [DailyVolume]
    /// Calls and achieved rate per API key (fingerprints only).
    public var apiKeys: [APIKeyUsage]
    /// Explorer calls per extract stage, against their lower bound.
    public var extractCalls: ExtractCallTally?
    /// Each chain's rows per day against its trailing 7-day median (`DailyRowsComparison`).
    public var chainDailyRows: [ChainDayRows]
    /// The share of the trailing median below which a day is flagged (`--low-day-share`).
    public var lowDayShare: Double

    public init(
        pipeline: String, runID: String, status: String, partitions: [PartitionDay], startedAt: Date,
        finishedAt: Date?, summary: String = "", resumeCommand: String? = nil, units: [Unit] = [],
        events: [Event] = [], dailyVolumes: [DailyVolume] = [], apiKeys: [APIKeyUsage] = [],
        extractCalls: ExtractCallTally? = nil, chainDailyRows: [ChainDayRows] = [],
        lowDayShare: Double = DailyRowsComparison.defaultShare
    ) {
        self.pipeline = pipeline
        self.runID = runID
        self.status = status
        self.partitions = partitions
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.summary = summary
        self.resumeCommand = resumeCommand
        self.units = units
        self.events = events
        self.dailyVolumes = dailyVolumes
        self.apiKeys = apiKeys
        self.extractCalls = extractCalls
        self.chainDailyRows = chainDailyRows
        self.lowDayShare = lowDayShare
    }

    /// One (partition, stage) unit.
    public struct Unit: Sendable, Equatable {
        public var stage: String
        public var kind: String
        public var partition: PartitionDay
        /// `succeeded`, `skipped`, `failed`, `blocked`, `locked` or `running`.
        public var status: String
        public var reason: String
        public var startedAt: Date?
        public var finishedAt: Date?
        public var rows: RowAccounting?
        public var error: String?
        /// What a rerun changed (rows against the replaced checkpoint, database figures).
        public var diff: UnitDiff?

        public init(
            stage: String, kind: String, partition: PartitionDay, status: String, reason: String = "",
            startedAt: Date? = nil, finishedAt: Date? = nil, rows: RowAccounting? = nil, error: String? = nil,
            diff: UnitDiff? = nil
        ) {
            self.stage = stage
            self.kind = kind
            self.partition = partition
            self.status = status
            self.reason = reason
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.rows = rows
            self.error = error
            self.diff = diff
        }
    }

    /// A unit's row accounting (SPEC §6: in = out + quarantined + duplicates + excluded).
    public struct RowAccounting: Sendable, Equatable {
        public var rowsIn: Int
        public var rowsOut: Int
        public var quarantined: Int
        public var duplicates: Int
        public var excluded: Int

        public init(rowsIn: Int, rowsOut: Int, quarantined: Int = 0, duplicates: Int = 0, excluded: Int = 0) {
            self.rowsIn = rowsIn
            self.rowsOut = rowsOut
            self.quarantined = quarantined
            self.duplicates = duplicates
            self.excluded = excluded
        }

        /// Whether every input row is accounted for.
        public var balances: Bool { rowsIn == rowsOut + quarantined + duplicates + excluded }

        static func + (left: RowAccounting, right: RowAccounting) -> RowAccounting {
            RowAccounting(
                rowsIn: left.rowsIn + right.rowsIn, rowsOut: left.rowsOut + right.rowsOut,
                quarantined: left.quarantined + right.quarantined, duplicates: left.duplicates + right.duplicates,
                excluded: left.excluded + right.excluded)
        }
    }

    /// A notable event (retry, throttle, quarantine, …).
    public struct Event: Sendable, Equatable {
        public var at: Date
        public var stage: String
        public var partition: PartitionDay
        /// A short dotted kind, e.g. `http.retry`, `rate.throttled`.
        public var kind: String
        public var message: String
        public var details: [String: String]

        public init(
            at: Date, stage: String, partition: PartitionDay, kind: String, message: String,
            details: [String: String] = [:]
        ) {
            self.at = at
            self.stage = stage
            self.partition = partition
            self.kind = kind
            self.message = message
            self.details = details
        }
    }

    /// One token's volume on one day, exact.
    public struct DailyVolume: Sendable, Equatable {
        /// How the chart names the token, e.g. `USDC (ethereum)` or its address.
        public var token: String
        public var day: PartitionDay
        /// Raw volume as an exact non-negative decimal integer string (Σ value, in the token's base unit).
        public var volume: String
        /// When known, the value is also printed in whole tokens (`volume / 10^decimals`, exact).
        public var decimals: Int?
        /// The volume in USD (exact decimal text) when the day has a price; a token with any priced
        /// day is charted in USD.
        public var usd: String?
        /// The token's symbol, for the chart's unit (`WETH per day`).
        public var symbol: String?

        public init(
            token: String, day: PartitionDay, volume: String, decimals: Int? = nil, usd: String? = nil,
            symbol: String? = nil
        ) {
            self.token = token
            self.day = day
            self.volume = volume
            self.decimals = decimals
            self.usd = usd
            self.symbol = symbol
        }
    }
}

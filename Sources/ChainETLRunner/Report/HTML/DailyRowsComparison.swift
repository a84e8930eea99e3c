import ChainETLCore
import ChainETLPostgres

/// One chain's rows on one day against its trailing median (the run-to-run comparison of the
/// HTML report).
public struct ChainDayRows: Sendable, Equatable {
    public var chainID: Int
    public var day: PartitionDay
    /// Transfers loaded and aggregated for the day (`Σ all_transfer_count` of `daily_token_volume`).
    public var rows: Int
    /// The median of the chain's rows over the up to 7 days before `day`, counting only days from
    /// the chain's first day with rows on; nil when there is no such day.
    public var trailingMedian: Double?
    /// Below the configured share of the trailing median (an empty day with history always is).
    public var flagged: Bool

    public init(chainID: Int, day: PartitionDay, rows: Int, trailingMedian: Double?, flagged: Bool) {
        self.chainID = chainID
        self.day = day
        self.rows = rows
        self.trailingMedian = trailingMedian
        self.flagged = flagged
    }

    /// rows / median, nil without a positive median.
    public var share: Double? {
        guard let trailingMedian, trailingMedian > 0 else { return nil }
        return Double(rows) / trailingMedian
    }
}

/// Each chain's rows per day against the trailing 7-day median, flagging days that fall below a
/// share of it: an empty or thin upstream day is the most common silent failure of a nightly.
public enum DailyRowsComparison {
    /// `chainetl run --low-day-share` when not given.
    public static let defaultShare = 0.5
    /// Days the median looks back.
    public static let trailingDays = 7
    /// Days the report shows, ending with the run's last partition.
    public static let shownDays = 14

    /// Compares every day of `days` for every chain of `chains` (plus any chain in `counts`).
    ///
    /// `counts[chain][day]` holds the rows of the days that have any, over `days` and the
    /// `trailingDays` before them; a missing day counts 0. Days before a chain's first day with
    /// rows are not history: they neither enter a median nor get flagged. A chain with no rows at
    /// all gets one flagged line for the last day. `share` 0 flags nothing.
    public static func compare(
        counts: [Int: [PartitionDay: Int]], chains: [Int], days: [PartitionDay], share: Double
    ) -> [ChainDayRows] {
        let allChains = Set(chains).union(counts.keys).sorted()
        let sortedDays = days.sorted()
        var result: [ChainDayRows] = []
        for chain in allChains {
            let byDay = counts[chain] ?? [:]
            guard let firstDay = byDay.filter({ $0.value > 0 }).keys.min() else {
                if let last = sortedDays.last {
                    result.append(
                        ChainDayRows(chainID: chain, day: last, rows: 0, trailingMedian: nil, flagged: share > 0))
                }
                continue
            }
            for day in sortedDays where day >= firstDay {
                let rows = byDay[day] ?? 0
                let history = (1...trailingDays).map { day.advanced(by: -$0) }.filter { $0 >= firstDay }.map {
                    byDay[$0] ?? 0
                }
                let median = history.isEmpty ? nil : Self.median(history)
                let flagged = share > 0 && median.map { $0 > 0 && Double(rows) < share * $0 } ?? false
                result.append(
                    ChainDayRows(chainID: chain, day: day, rows: rows, trailingMedian: median, flagged: flagged))
            }
        }
        return result
    }

    /// The middle value (the mean of the two middle ones for an even count).
    static func median(_ values: [Int]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[middle]) : Double(sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Reads the rows per chain and day from `daily_token_volume` over the `shownDays` days ending
    /// `lastDay` and the `trailingDays` before them (an index range scan of the daily table: the
    /// cost does not grow with history), then compares. Empty when the table does not exist.
    public static func read(
        connection: PostgresConnection, chains: [Int], through lastDay: PartitionDay, share: Double
    ) throws -> [ChainDayRows] {
        let exists = try connection.execute(
            SQLQuery(unsafeSQL: "SELECT to_regclass('daily_token_volume') IS NOT NULL"))
        guard exists.bool(row: 0, column: 0) == true else { return [] }
        let firstShown = lastDay.advanced(by: -(shownDays - 1))
        let rows = try connection.execute(
            SQLQuery(
                """
                SELECT chain_id, day::text, sum(all_transfer_count)::bigint
                FROM daily_token_volume
                WHERE day BETWEEN $1::date AND $2::date
                GROUP BY chain_id, day
                """, [firstShown.advanced(by: -trailingDays).description, lastDay.description]))
        var counts: [Int: [PartitionDay: Int]] = [:]
        for row in 0..<rows.count {
            guard let chain = try rows.int(row: row, column: 0), let dayText = rows.value(row: row, column: 1),
                let day = PartitionDay(dayText), let count = try rows.int(row: row, column: 2)
            else { continue }
            counts[chain, default: [:]][day] = count
        }
        let days = (0..<shownDays).map { firstShown.advanced(by: $0) }
        return compare(counts: counts, chains: chains, days: days, share: share)
    }
}

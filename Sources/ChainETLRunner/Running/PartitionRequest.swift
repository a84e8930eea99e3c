import ChainETLCore
import Foundation

/// Which partitions a run covers: `--partition`, `--from/--to`, or (by default) yesterday UTC.
public enum PartitionRequest: Sendable, Equatable {
    case yesterday
    case single(PartitionDay)
    case range(from: PartitionDay, to: PartitionDay)

    /// Reads the three flags; at most one form may be given.
    public static func parse(partition: String?, from: String?, to: String?) throws -> PartitionRequest {
        func day(_ text: String, _ flag: String) throws -> PartitionDay {
            guard let day = PartitionDay(text) else {
                throw RunnerError.usage("\(flag) \(text) is not a date; write YYYY-MM-DD, e.g. 2026-11-20")
            }
            return day
        }
        switch (partition, from, to) {
        case (nil, nil, nil):
            return .yesterday
        case (let partition?, nil, nil):
            return .single(try day(partition, "--partition"))
        case (nil, let from?, let to?):
            let first = try day(from, "--from")
            let last = try day(to, "--to")
            guard first <= last else {
                throw RunnerError.usage("--from \(first) is after --to \(last); swap them")
            }
            guard last.daysSinceEpoch - first.daysSinceEpoch < 3_660 else {
                throw RunnerError.usage("--from \(first) --to \(last) spans more than 10 years; split the backfill")
            }
            return .range(from: first, to: last)
        case (nil, _, _):
            throw RunnerError.usage("--from and --to go together; give both, e.g. --from 2026-11-01 --to 2026-11-07")
        default:
            throw RunnerError.usage("use either --partition or --from/--to, not both")
        }
    }

    /// The days, oldest first.
    public func days(now: Date = Date()) -> [PartitionDay] {
        switch self {
        case .yesterday: return [PartitionDay.yesterday(now: now)]
        case .single(let day): return [day]
        case .range(let from, let to): return PartitionDay.range(from: from, through: to)
        }
    }

    /// The same partitions as command-line flags (for the resume command).
    public func flags(now: Date = Date()) -> [String] {
        switch self {
        case .yesterday: return ["--partition", PartitionDay.yesterday(now: now).description]
        case .single(let day): return ["--partition", day.description]
        case .range(let from, let to): return ["--from", from.description, "--to", to.description]
        }
    }
}

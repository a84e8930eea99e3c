import ChainETLCore
import ChainETLStages
import Foundation

/// The explorer calls a run's extract units made, against their lower bound where they report one.
///
/// Read from the units' manifest details: `calls` (every HTTP call, retries included) and, when the
/// stage computes it, `calls.lower_bound` (Σ over walks of ceil(rows / page cap), plus the fixed
/// per-day calls). Only units that ran count: a skipped unit's details describe an earlier run.
public struct ExtractCallTally: Sendable, Codable, Equatable {
    /// One extract stage, summed over the partitions it ran for.
    public struct Stage: Sendable, Codable, Equatable {
        public var stage: String
        public var units: Int
        public var calls: Int
        /// Σ `calls.lower_bound` over the units that report it; nil when none does.
        public var lowerBound: Int?
        /// Calls of the units that report a lower bound (the ratio's numerator).
        public var callsWithLowerBound: Int

        /// `callsWithLowerBound ÷ lowerBound`.
        public var ratioToLowerBound: Double? {
            guard let lowerBound, lowerBound > 0 else { return nil }
            return Double(callsWithLowerBound) / Double(lowerBound)
        }

        enum CodingKeys: String, CodingKey {
            case stage, units, calls
            case lowerBound = "lower_bound"
            case callsWithLowerBound = "calls_with_lower_bound"
        }
    }

    public var stages: [Stage]

    public var calls: Int { stages.reduce(0) { $0 + $1.calls } }

    /// Over every stage that reports a lower bound.
    public var ratioToLowerBound: Double? {
        let bounded = stages.filter { $0.lowerBound != nil }
        let lowerBound = bounded.reduce(0) { $0 + ($1.lowerBound ?? 0) }
        guard lowerBound > 0 else { return nil }
        return Double(bounded.reduce(0) { $0 + $1.callsWithLowerBound }) / Double(lowerBound)
    }

    /// The tally of `units`, or nil when no explorer extract ran.
    public init?(units: [UnitReport]) {
        var stages: [Stage] = []
        for unit in units where unit.status == .succeeded && ExplorerExtractKinds.contains(unit.kind) {
            guard let calls = unit.details["calls"].flatMap({ Int($0) }) else { continue }
            let bound = unit.details["calls.lower_bound"].flatMap { Int($0) }
            var stage =
                stages.first { $0.stage == unit.stage }
                ?? Stage(stage: unit.stage, units: 0, calls: 0, lowerBound: nil, callsWithLowerBound: 0)
            stage.units += 1
            stage.calls += calls
            if let bound {
                stage.lowerBound = (stage.lowerBound ?? 0) + bound
                stage.callsWithLowerBound += calls
            }
            if let index = stages.firstIndex(where: { $0.stage == unit.stage }) {
                stages[index] = stage
            } else {
                stages.append(stage)
            }
        }
        guard !stages.isEmpty else { return nil }
        self.stages = stages
    }
}

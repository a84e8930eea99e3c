import ChainETLCore

/// Whether a unit runs or keeps its existing checkpoint, and why (SPEC §4).
///
/// A stage is skipped when its existing manifest has the same config hash and the same input
/// content hashes, and the stage says its effect is still in place, unless `--force` is given or
/// a `--select` names it.
struct SkipDecision: Equatable, Sendable {
    var runs: Bool
    var reason: String

    static func decide(
        forced: Bool, selected: Bool, existing: Result<CheckpointManifest, any Error>?, configHash: String,
        configParts: [String: String] = [:], inputs: [String: String], isUpToDate: (CheckpointManifest) throws -> Bool
    ) -> SkipDecision {
        if forced { return SkipDecision(runs: true, reason: "forced (--force)") }
        if selected { return SkipDecision(runs: true, reason: "selected (--select)") }
        guard let existing else { return SkipDecision(runs: true, reason: "no checkpoint yet") }
        let manifest: CheckpointManifest
        switch existing {
        case .success(let found): manifest = found
        case .failure(let error): return SkipDecision(runs: true, reason: "existing checkpoint unusable (\(error))")
        }
        if manifest.configHash != configHash {
            return SkipDecision(runs: true, reason: configChangedReason(before: manifest.configParts, now: configParts))
        }
        if manifest.inputs != inputs {
            let changed = Set(manifest.inputs.keys).union(inputs.keys).filter { manifest.inputs[$0] != inputs[$0] }
            return SkipDecision(runs: true, reason: "inputs changed: \(changed.sorted().joined(separator: ", "))")
        }
        do {
            guard try isUpToDate(manifest) else {
                return SkipDecision(runs: true, reason: "checkpoint not applied to the database")
            }
        } catch {
            return SkipDecision(runs: true, reason: "could not check whether the checkpoint is applied (\(error))")
        }
        return SkipDecision(runs: false, reason: "checkpoint matches config and inputs")
    }

    /// `config changed: with.file, chains.ethereum.tokens`: the pieces whose hashes differ, when the
    /// previous manifest recorded them.
    static func configChangedReason(before: [String: String]?, now: [String: String]) -> String {
        guard let before, !now.isEmpty else { return "config changed" }
        let changed = Set(before.keys).union(now.keys).filter { before[$0] != now[$0] }.sorted()
        return changed.isEmpty ? "config changed" : "config changed: " + changed.joined(separator: ", ")
    }
}

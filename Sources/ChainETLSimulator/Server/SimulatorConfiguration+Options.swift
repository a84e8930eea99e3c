import Foundation

extension SimulatorConfiguration {
    /// The apikey the simulator requires: the value of the variable `--api-key-env` names, else
    /// `--api-key`, else none.
    ///
    /// - Throws: `.invalidOption` when the named variable is unset or empty.
    public static func apiKey(
        _ given: String?, variable: String?, environment: [String: String]
    ) throws(SimulatorError) -> String? {
        guard let variable else { return given }
        guard let value = environment[variable], !value.isEmpty else {
            throw .invalidOption("--api-key-env", "names \(variable), which is unset or empty")
        }
        return value
    }

    /// `--paid-chains`: comma-separated chain ids (nil when not given: every chain is on the plan).
    public static func paidChainIDs(parsing text: String?) throws(SimulatorError) -> Set<Int>? {
        guard let text else { return nil }
        var ids: Set<Int> = []
        for item in text.split(separator: ",") {
            guard let id = Int(item.trimmingCharacters(in: .whitespaces)) else {
                throw .invalidOption("--paid-chains", "must be comma-separated chain ids, got \(item)")
            }
            ids.insert(id)
        }
        return ids
    }
}

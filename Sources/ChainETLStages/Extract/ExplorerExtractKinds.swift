/// The stage kinds that read an explorer API through a rate-limited key (not `extract/file`).
///
/// The runner's scheduler gives them their own lane, since they wait on the key, not the CPU.
public enum ExplorerExtractKinds {
    /// `extract/etherscan-logs`, `extract/etherscan-tokentx` and `extract/blockscout`.
    public static let all: Set<String> = Set(ExtractKind.allCases.map(\.rawValue))

    public static func contains(_ kind: String) -> Bool { all.contains(kind) }
}

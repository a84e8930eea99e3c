/// The stage kinds a loader accepts in `uses:`, and the `with:` parameters each one takes.
///
/// The stage registry implements this; tests use a small catalog of their own.
public protocol StageKindCatalog: Sendable {
    /// Every kind `uses:` may name, e.g. `extract/etherscan-logs`, `sql`.
    var knownKinds: [String] { get }
    /// The parameters of `kind`; `nil` means the kind's `with:` is not checked by the loader.
    func parameterSchema(forKind kind: String) -> StageParameterSchema?
}

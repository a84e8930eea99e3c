import ChainETLCore
import ChainETLExplorers

/// An extract stage that reads an explorer API: what it reads, for `chainetl plan`'s estimates.
public protocol ExplorerExtractStage: Stage {
    /// Per selected chain, the endpoint family, the targets walked and the page size.
    var scopes: [ExtractionScope] { get }
}

/// What an explorer extract stage reads on one chain.
public struct ExtractionScope: Sendable {
    public var chain: ChainSpec
    public var source: ExplorerSourceKind
    /// The tokens, accounts or (token, account) pairs walked, one walk each per partition.
    public var targets: [ExtractionTarget]
    /// Rows asked per page.
    public var offset: Int

    public init(chain: ChainSpec, source: ExplorerSourceKind, targets: [ExtractionTarget], offset: Int) {
        self.chain = chain
        self.source = source
        self.targets = targets
        self.offset = offset
    }
}

extension ExtractConfiguration {
    var scopes: [ExtractionScope] {
        chains.map { ExtractionScope(chain: $0.chain, source: $0.source, targets: $0.targets, offset: offset) }
    }
}

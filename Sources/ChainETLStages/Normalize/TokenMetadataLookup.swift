import ChainETLCore

/// Finds `TokenMetadata` by contract address without allocating, for the normalizer's hot path.
public struct TokenMetadataLookup: Sendable {
    struct Entry: Sendable {
        var symbol: [UInt8]?
        var name: [UInt8]?
        var decimals: Int?
    }

    private var entries: [AddressKey: Entry] = [:]

    /// An empty lookup: every getLogs record gets null symbol, name and decimals.
    public init() {}

    /// A lookup over `tokens`; later entries win for a repeated address. Entries whose address
    /// is not `0x` + 40 hex are ignored (pipeline validation reports them).
    public init(_ tokens: [TokenMetadata]) {
        for token in tokens {
            var address = token.address
            let key = address.withUTF8 { AddressKey(hexAddress: UnsafeRawBufferPointer($0)) }
            guard let key else { continue }
            entries[key] = Entry(
                symbol: token.symbol.map { Array($0.utf8) }, name: token.name.map { Array($0.utf8) },
                decimals: token.decimals)
        }
    }

    /// A lookup over the tokens a pipeline tracks on one chain.
    public init(tracked: [TrackedToken]) {
        self.init(tracked.map(TokenMetadata.init))
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The entry for a lowercase or mixed-case `0x` + 40 hex address.
    func entry(forHexAddress address: UnsafeRawBufferPointer) -> Entry? {
        guard !entries.isEmpty, let key = AddressKey(hexAddress: address) else { return nil }
        return entries[key]
    }
}

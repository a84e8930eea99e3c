/// Reorganised blocks (`SimulatedReorg`): what `block(_:)` serves at a reorganised height.
extension ChainGenerator {
    /// Keeps the reorg streams apart from every other stream of the generator.
    private static let reorgTag: UInt64 = 0x4E06

    /// The reorg of this chain at `number`, if the configuration has one (the last one listed wins).
    func reorg(at number: Int) -> SimulatedReorg? {
        configuration.reorgs.last { $0.chainID == chain.chainID && $0.block == number }
    }

    /// The block that replaces `number` after `reorg`: the same height and timestamp, a new hash,
    /// and new content unless the reorg keeps the transfers.
    func reorganizedBlock(_ number: Int, _ reorg: SimulatedReorg) -> SimulatedBlock {
        var canonical = configuration
        canonical.reorgs = []
        let seed = configuration.seed
        let chainKey = UInt64(chain.chainID)
        if reorg.keepsTransfers {
            let original = ChainGenerator(chain: chain, configuration: canonical).block(number)
            var hashRNG = SplitMix64(key: Self.reorgTag, seed, chainKey, UInt64(number), reorg.salt)
            return SimulatedBlock(
                chainID: original.chainID, number: number, timestamp: original.timestamp,
                hash: HexFormat.randomBytes(32, &hashRNG), transactions: original.transactions, logs: original.logs)
        }
        // Another seed generates another block at the same height: new hash, transactions and transfers.
        var replacement = canonical
        replacement.seed = SplitMix64.key(Self.reorgTag, seed, chainKey, UInt64(number), reorg.salt)
        return ChainGenerator(chain: chain, configuration: replacement).block(number)
    }
}

/// What decides the generated content: together with the chain id and the block number, this
/// fixes every byte the simulator serves and every ground-truth number.
public struct GeneratorConfiguration: Sendable, Hashable {
    public var seed: UInt64
    /// Mean ERC-20 transfers per token per chain per UTC day (before duplicates and dense blocks).
    public var transfersPerDay: Int
    /// When > 0, every block whose number is a multiple of this is "dense": it also carries
    /// 1,001–1,500 transfers of one ERC-20 token (see `ChainGenerator.denseToken(forBlock:)`).
    /// 0 (the default) turns dense blocks off.
    public var denseBlockEvery: Int
    /// Blocks replaced by a simulated chain reorganisation (`SimulatedReorg`); empty by default.
    public var reorgs: [SimulatedReorg]

    public static let defaultSeed: UInt64 = 1
    public static let defaultTransfersPerDay = 2_000

    public init(
        seed: UInt64 = defaultSeed, transfersPerDay: Int = defaultTransfersPerDay, denseBlockEvery: Int = 0,
        reorgs: [SimulatedReorg] = []
    ) {
        self.seed = seed
        self.transfersPerDay = transfersPerDay
        self.denseBlockEvery = denseBlockEvery
        self.reorgs = reorgs
    }
}

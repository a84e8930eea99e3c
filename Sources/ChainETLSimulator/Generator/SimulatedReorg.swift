/// A simulated chain reorganisation: block `block` of chain `chainID` is replaced by another block
/// at the same height and time, with a new hash and (unless `keepsTransfers`) new transactions and
/// transfers.
///
/// The replacement is derived from (seed, chain, block, salt) alone, so a reorg is reproducible and
/// the ground truth (`GroundTruth.compute(…, reorgs:)`) sees exactly what the server serves. Serve
/// the chain before and after a reorg by restarting the simulator on the same port with and
/// without it (`chainetl simulate --reorg CHAIN:BLOCK[:SALT[:hash]]`).
public struct SimulatedReorg: Sendable, Hashable, CustomStringConvertible {
    public var chainID: Int
    public var block: Int
    /// Picks one of many possible replacements; the same salt gives the same block.
    public var salt: UInt64
    /// When true only the block hash changes (every transfer stays, byte for byte apart from
    /// `blockHash`); when false the block's whole content is generated anew.
    public var keepsTransfers: Bool

    public init(chainID: Int, block: Int, salt: UInt64 = 1, keepsTransfers: Bool = false) {
        self.chainID = chainID
        self.block = block
        self.salt = salt
        self.keepsTransfers = keepsTransfers
    }

    /// Parses the `--reorg` syntax `CHAIN:BLOCK[:SALT[:hash]]` (`hash`: only the hash changes).
    public init(parsing text: String) throws(SimulatorError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (2...4).contains(parts.count), let chainID = Int(parts[0]), let block = Int(parts[1]), block >= 0
        else {
            throw .invalidOption("--reorg", "must be CHAIN:BLOCK[:SALT[:hash]] with a block ≥ 0, got \(text)")
        }
        guard SimulatedChain.chain(id: chainID) != nil else { throw .unsupportedChain(chainID) }
        var salt: UInt64 = 1
        if parts.count >= 3 {
            guard let parsed = UInt64(parts[2]) else {
                throw .invalidOption("--reorg", "needs a non-negative integer salt, got \(parts[2]) in \(text)")
            }
            salt = parsed
        }
        if parts.count == 4 && parts[3] != "hash" {
            throw .invalidOption("--reorg", "only knows the suffix :hash (keep the transfers), got \(parts[3])")
        }
        self.init(chainID: chainID, block: block, salt: salt, keepsTransfers: parts.count == 4)
    }

    public var description: String { "\(chainID):\(block):\(salt)\(keepsTransfers ? ":hash" : "")" }
}

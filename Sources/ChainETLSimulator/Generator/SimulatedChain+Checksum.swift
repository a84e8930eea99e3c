/// EIP-55 checksummed forms of the simulated addresses, computed once per chain on first use
/// (Blockscout REST v2 serves every address hash checksummed).
extension SimulatedChain {
    /// The checksummed address of population member `index` (0 = the zero address).
    func checksummedAccountAddress(_ index: Int) -> String {
        Self.checksummedAccountTables[chainID]![index]
    }

    /// The checksummed address of token `index` (position in `tokens`).
    func checksummedTokenAddress(_ index: Int) -> String {
        Self.checksummedTokenTables[chainID]![index]
    }

    private static let checksummedAccountTables: [Int: [String]] = accountTables.mapValues { addresses in
        addresses.map(ChecksumAddress.encode)
    }

    private static let checksummedTokenTables: [Int: [String]] = {
        var tables: [Int: [String]] = [:]
        for chain in all { tables[chain.chainID] = chain.tokens.map { ChecksumAddress.encode($0.address) } }
        return tables
    }()
}

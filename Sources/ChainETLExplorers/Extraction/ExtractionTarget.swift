/// What an extraction follows: a token contract, an account, or both (tokentx only).
public struct ExtractionTarget: Hashable, Sendable, CustomStringConvertible {
    /// Lowercase `0x` token contract address.
    public var contract: String?
    /// Lowercase `0x` account address.
    public var address: String?

    /// At least one of the two must be given; addresses are lowercased.
    public init(contract: String? = nil, address: String? = nil) throws {
        guard contract != nil || address != nil else {
            throw ExplorerError.invalidConfiguration("an extraction needs a token contract or an account address")
        }
        for candidate in [contract, address].compactMap({ $0 }) {
            let hex = candidate.dropFirst(2)
            guard candidate.hasPrefix("0x"), hex.count == 40, hex.allSatisfy(\.isHexDigit) else {
                throw ExplorerError.invalidConfiguration("\(candidate) is not a 0x-prefixed 20-byte address")
            }
        }
        self.contract = contract?.lowercased()
        self.address = address?.lowercased()
    }

    public var description: String {
        switch (contract, address) {
        case (let contract?, let address?): return "token \(contract) for account \(address)"
        case (let contract?, nil): return "token \(contract)"
        case (nil, let address?): return "account \(address)"
        case (nil, nil): return "nothing"
        }
    }
}

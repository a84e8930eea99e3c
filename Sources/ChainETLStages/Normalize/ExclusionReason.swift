/// Why a well-formed raw row was left out on purpose: it is not an ERC-20 transfer,
/// or it belongs to a chain the stage does not normalize.
///
/// Excluded rows are counted (per reason) but not quarantined: they are valid data of another kind.
public enum ExclusionReason: String, Sendable, Hashable, CaseIterable, Codable {
    /// A `Transfer` log with 4 topics: ERC-721 (the token id is the 4th topic).
    case erc721Transfer = "erc721_transfer"
    /// A log whose topic0 is not `Transfer(address,address,uint256)`, or that has no topics.
    case notTransferEvent = "not_transfer_event"
    /// A `Transfer` log with fewer than 3 or more than 4 topics (e.g. the legacy non-indexed form).
    case nonStandardTransfer = "non_standard_transfer"
    /// A Blockscout v2 item of another token standard than ERC-20 and ERC-721 (ERC-1155, ERC-404).
    case otherTokenStandard = "other_token_standard"
    /// A row of a pipeline chain that the normalize stage's `chains:` leaves out.
    case chainNotSelected = "chain_not_selected"

    /// The stable snake_case code counted in manifests.
    public var code: String { rawValue }
}

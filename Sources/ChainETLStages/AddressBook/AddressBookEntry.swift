/// An entity the address book defines.
struct AddressBookEntity: Equatable, Sendable {
    var id: String
    var name: String
    var kind: String
    /// The owning entity: this entity's `facilitator_pay_to` addresses also count for it.
    var owner: String?
    /// A JSON object (`{}` when the book gives none).
    var metadataJSON: String
    var line: Int
}

/// One (entity, chain, address, role) row of the address book; the address is lowercase.
struct AddressBookAddress: Equatable, Hashable, Sendable {
    var entityID: String
    var chainID: Int
    var address: String
    var role: String
    var line: Int
}

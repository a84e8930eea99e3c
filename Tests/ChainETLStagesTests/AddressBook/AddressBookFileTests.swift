import Foundation
import Testing

@testable import ChainETLStages

@Suite("address book files")
struct AddressBookFileTests {
    static let a = "0x" + String(repeating: "a1", count: 20)
    static let b = "0x" + String(repeating: "b2", count: 20)

    @Test func csvRowsDefineEntitiesAndAddressesAndRejectBadRows() throws {
        let file = try TemporaryFile(
            "book.csv",
            """
            entity_id,name,kind,owner_entity_id,chain_id,address,role
            acme,Acme,company,,,,
            acme-pay,Acme Pay,facilitator,acme,1,\(Self.a.uppercased().replacingOccurrences(of: "0X", with: "0x")),Reward
            acme-pay,,,,1,\(Self.a),facilitator_pay_to
            acme-pay,,,,x,\(Self.b),reward
            acme-pay,,,,1,0x1234,reward
            acme,Acme Inc,company,,,,
            ,,,,1,\(Self.b),reward
            ghost,,,,1,\(Self.b),reward
            """)
        let book = try AddressBookFile.read(path: file.path, displayPath: "data/book.csv", format: .csv)
        #expect(book.entities.map(\.id) == ["acme", "acme-pay"])
        #expect(book.entities[1].owner == "acme")
        #expect(
            book.addresses.map { "\($0.entityID)|\($0.chainID)|\($0.address)|\($0.role)|\($0.line)" } == [
                "acme-pay|1|\(Self.a)|reward|3", "acme-pay|1|\(Self.a)|facilitator_pay_to|4",
                "ghost|1|\(Self.b)|reward|9",
            ])
        #expect(book.rejections.map(\.line) == [5, 6, 7, 8])
        #expect(book.rejections[0].reason.contains("chain_id 'x'"))
        #expect(book.rejections[1].reason.contains("not 0x + 40 hex digits"))
        #expect(book.rejections[2].reason.contains("defined differently at line 2"))
        #expect(book.rejections[3].reason == "entity_id is empty")
    }

    @Test func yamlBooksNestAddressesUnderEntities() throws {
        let file = try TemporaryFile(
            "book.yaml",
            """
            entities:
              - id: acme
                name: Acme
                kind: company
                metadata: { region: eu, tier: 1 }
              - id: acme-pay
                name: Acme Pay
                kind: facilitator
                owner: acme
                addresses:
                  - { chain_id: 1, address: "\(Self.a)", role: reward }
                  - { chain_id: 1, address: "\(Self.a)", role: facilitator_pay_to }
              - id: broken
                name: Broken
            addresses:
              - { entity: legacy, chain_id: 10, address: "\(Self.b)", role: treasury }
              - { entity: legacy, chain_id: 10, address: "\(Self.b)", colour: red }
            """)
        let book = try AddressBookFile.read(path: file.path, displayPath: "book.yaml", format: .yaml)
        #expect(book.entities.map(\.id) == ["acme", "acme-pay"])
        #expect(book.entities[0].metadataJSON == #"{"region":"eu","tier":"1"}"#)
        #expect(book.addresses.map(\.role) == ["reward", "facilitator_pay_to", "treasury"])
        #expect(book.addresses.last?.entityID == "legacy")
        #expect(book.rejections.map(\.line) == [13, 17])
        #expect(book.rejections[0].reason == "an entity needs id, name and kind")
    }

    @Test func aBookThatIsNotAnAddressBookStopsTheLoad() throws {
        let file = try TemporaryFile("book.yaml", "people:\n  - bob\n")
        #expect(throws: AddressBookError.self) {
            _ = try AddressBookFile.read(path: file.path, displayPath: "book.yaml", format: .yaml)
        }
        let csv = try TemporaryFile("book.csv", "entity,address\nx,y\n")
        #expect(throws: FileSourceError.missingColumn(path: "book.csv", column: "entity_id")) {
            _ = try AddressBookFile.read(path: csv.path, displayPath: "book.csv", format: .csv)
        }
    }

    @Test func theDemoBookHasTwoRolesForOneAddressAndAnUnknownEntity() throws {
        let path = StageHarness.repository.appendingPathComponent("pipelines/data/address_book.csv").path
        let book = try AddressBookFile.read(path: path, displayPath: "data/address_book.csv", format: .csv)
        #expect(book.rejections.isEmpty)
        let nimbus = book.addresses.filter { $0.entityID == "nimbus-pay" && $0.chainID == 1 }
        #expect(Set(nimbus.map(\.address)).count == 1)
        #expect(Set(nimbus.map(\.role)) == ["reward", "facilitator_pay_to"])
        #expect(!book.entities.contains { $0.id == "ghost-wallet" })
        #expect(book.addresses.contains { $0.entityID == "ghost-wallet" })
    }
}

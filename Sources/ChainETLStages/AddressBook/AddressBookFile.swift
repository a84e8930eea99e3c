import ChainETLCore
import Foundation
import Yams

/// An address book read from CSV or YAML: its entities, its address rows, and the rows it could
/// not use (each with `file:line` and a reason).
///
/// CSV, one header line, columns `entity_id,name,kind,owner_entity_id,chain_id,address,role`
/// (`owner_entity_id` may be left out). A row with `name`/`kind` defines the entity; a row with
/// `address` attributes the address to `entity_id`; a row may do both.
///
/// YAML:
///
///     entities:
///       - id: acme-pay
///         name: Acme Pay
///         kind: facilitator
///         owner: acme-group            # optional
///         metadata: { region: eu }     # optional, scalar values
///         addresses:
///           - { chain_id: 1, address: "0x…", role: facilitator_pay_to }
///     addresses:                       # rows for entities defined elsewhere
///       - { entity: legacy, chain_id: 1, address: "0x…", role: treasury }
///
/// Addresses must be `0x` + 40 hex digits and are stored lowercase; roles are trimmed and
/// lowercased. Whether an address row's entity exists is decided at load time (it may be defined
/// by the file or already be in `entities`).
struct AddressBookFile: Sendable {
    /// The layout of the book.
    enum Format: String, Sendable {
        case csv, yaml

        static func resolve(_ requested: String?, path: String) throws(AddressBookError) -> Format {
            if let requested, requested != "auto", let format = Format(rawValue: requested) { return format }
            let lowered = path.lowercased()
            if lowered.hasSuffix(".csv") { return .csv }
            if lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") { return .yaml }
            throw .unknownFormat(path: path)
        }
    }

    var entities: [AddressBookEntity] = []
    var addresses: [AddressBookAddress] = []
    var rejections: [FileRowRejection] = []

    /// Reads the book at `path`; `displayPath` is how rejections name the file.
    static func read(path: String, displayPath: String, format: Format) throws -> AddressBookFile {
        var book = AddressBookFile()
        switch format {
        case .csv: try book.readCSV(path: path, displayPath: displayPath)
        case .yaml: try book.readYAML(path: path, displayPath: displayPath)
        }
        return book
    }

    // MARK: - CSV

    private static let csvColumns = ["entity_id", "name", "kind", "owner_entity_id", "chain_id", "address", "role"]

    private mutating func readCSV(path: String, displayPath: String) throws {
        let reader = try CSVRecordReader(path: path)
        var columns: [String: Int]?
        while let record = try reader.next() {
            switch record {
            case .malformed(let reason, let line):
                guard columns != nil else {
                    throw FileSourceError.invalidHeader(path: displayPath, line: line, reason: reason)
                }
                rejections.append(FileRowRejection(file: displayPath, line: line, reason: reason))
            case .fields(let fields, let line):
                guard let index = columns else {
                    var header: [String: Int] = [:]
                    for (position, name) in fields.enumerated() { header[name.trimmingASCIIWhitespace()] = position }
                    for column in Self.csvColumns where column != "owner_entity_id" && header[column] == nil {
                        throw FileSourceError.missingColumn(path: displayPath, column: column)
                    }
                    columns = header
                    continue
                }
                guard fields.count == index.count else {
                    rejections.append(
                        FileRowRejection(
                            file: displayPath, line: line,
                            reason: "the record has \(fields.count) fields but the header has \(index.count)",
                            text: fields.joined(separator: ",")))
                    continue
                }
                let value: (String) -> String = { column in
                    index[column].map { fields[$0].trimmingASCIIWhitespace() } ?? ""
                }
                addRow(
                    entityID: value("entity_id"), name: value("name"), kind: value("kind"),
                    owner: value("owner_entity_id"), metadataJSON: "{}", chainID: value("chain_id"),
                    address: value("address"), role: value("role"), file: displayPath, line: line)
            }
        }
        if columns == nil { throw FileSourceError.missingHeader(path: displayPath) }
    }

    /// One CSV row: an entity definition, an address, or both.
    private mutating func addRow(
        entityID: String, name: String, kind: String, owner: String, metadataJSON: String, chainID: String,
        address: String, role: String, file: String, line: Int
    ) {
        guard !entityID.isEmpty else {
            rejections.append(FileRowRejection(file: file, line: line, reason: "entity_id is empty"))
            return
        }
        let definesEntity = !name.isEmpty || !kind.isEmpty || !owner.isEmpty
        let hasAddress = !address.isEmpty || !chainID.isEmpty || !role.isEmpty
        guard definesEntity || hasAddress else {
            rejections.append(
                FileRowRejection(
                    file: file, line: line, reason: "the row neither defines entity '\(entityID)' nor gives an address")
            )
            return
        }
        if definesEntity {
            guard !name.isEmpty, !kind.isEmpty else {
                rejections.append(
                    FileRowRejection(
                        file: file, line: line, reason: "entity '\(entityID)' needs both a name and a kind"))
                return
            }
            addEntity(
                AddressBookEntity(
                    id: entityID, name: name, kind: kind, owner: owner.isEmpty ? nil : owner,
                    metadataJSON: metadataJSON, line: line),
                file: file)
        }
        if hasAddress {
            addAddress(entityID: entityID, chainID: chainID, address: address, role: role, file: file, line: line)
        }
    }

    private mutating func addEntity(_ entity: AddressBookEntity, file: String) {
        if entity.owner == entity.id {
            rejections.append(
                FileRowRejection(file: file, line: entity.line, reason: "entity '\(entity.id)' cannot own itself"))
            return
        }
        if let existing = entities.first(where: { $0.id == entity.id }) {
            if (existing.name, existing.kind, existing.owner, existing.metadataJSON)
                != (entity.name, entity.kind, entity.owner, entity.metadataJSON)
            {
                rejections.append(
                    FileRowRejection(
                        file: file, line: entity.line,
                        reason:
                            "entity '\(entity.id)' is defined differently at line \(existing.line); keep one definition"
                    ))
            }
            return
        }
        entities.append(entity)
    }

    private mutating func addAddress(
        entityID: String, chainID: String, address: String, role: String, file: String, line: Int
    ) {
        var problems: [String] = []
        let chain = Int(chainID)
        if chain == nil || chain! <= 0 { problems.append("chain_id '\(chainID)' is not a positive chain id") }
        let lowered = address.lowercased()
        if !Self.isAddress(lowered) { problems.append("address '\(address.prefix(60))' is not 0x + 40 hex digits") }
        let normalizedRole = role.lowercased()
        if normalizedRole.isEmpty { problems.append("role is empty") }
        guard problems.isEmpty, let chain else {
            rejections.append(FileRowRejection(file: file, line: line, reason: problems.joined(separator: "; ")))
            return
        }
        addresses.append(
            AddressBookAddress(entityID: entityID, chainID: chain, address: lowered, role: normalizedRole, line: line))
    }

    static func isAddress(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 42, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") else { return false }
        return bytes[2...].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    // MARK: - YAML

    private mutating func readYAML(path: String, displayPath: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FileSourceError.unreadable(path: displayPath, reason: "not readable as UTF-8 text")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { return }
            root = node
        } catch {
            throw AddressBookError.invalidYAML(path: displayPath, reason: "\(error)")
        }
        guard let top = root.mapping else {
            throw AddressBookError.invalidStructure(
                path: displayPath, line: Self.line(root),
                reason: "the top level must be a mapping with entities: and addresses:")
        }
        for (key, value) in top {
            switch key.string {
            case "entities":
                guard let items = value.sequence else {
                    throw AddressBookError.invalidStructure(
                        path: displayPath, line: Self.line(value), reason: "entities: must be a list")
                }
                for item in items { readYAMLEntity(item, file: displayPath) }
            case "addresses":
                guard let items = value.sequence else {
                    throw AddressBookError.invalidStructure(
                        path: displayPath, line: Self.line(value), reason: "addresses: must be a list")
                }
                for item in items { readYAMLAddress(item, entityID: nil, file: displayPath) }
            default:
                throw AddressBookError.invalidStructure(
                    path: displayPath, line: Self.line(key),
                    reason: "unknown key '\(key.string ?? "?")'; the book has entities: and addresses:")
            }
        }
    }

    private mutating func readYAMLEntity(_ node: Node, file: String) {
        let line = Self.line(node)
        guard
            let fields = Self.scalarFields(
                node, allowed: ["id", "name", "kind", "owner", "metadata", "addresses"],
                nested: ["metadata", "addresses"])
        else {
            rejections.append(
                FileRowRejection(
                    file: file, line: line,
                    reason:
                        "an entity must be a mapping of id, name, kind, owner, metadata and addresses with scalar values"
                ))
            return
        }
        let id = fields["id"] ?? ""
        guard !id.isEmpty, let name = fields["name"], !name.isEmpty, let kind = fields["kind"], !kind.isEmpty else {
            rejections.append(FileRowRejection(file: file, line: line, reason: "an entity needs id, name and kind"))
            return
        }
        var metadataJSON = "{}"
        if let metadata = node.mapping?["metadata"] {
            guard let pairs = metadata.mapping, pairs.allSatisfy({ $0.key.string != nil && $0.value.scalar != nil })
            else {
                rejections.append(
                    FileRowRejection(
                        file: file, line: Self.line(metadata), reason: "metadata of '\(id)' must map names to scalars"))
                return
            }
            var writer = JSONLineWriter(capacity: 128)
            writer.beginObject()
            for (key, value) in pairs.sorted(by: { ($0.key.string ?? "") < ($1.key.string ?? "") }) {
                writer.key(key.string ?? "")
                writer.string(value.scalar?.string ?? "")
            }
            writer.endObject()
            metadataJSON = String(decoding: writer.bytes, as: UTF8.self)
        }
        let owner = fields["owner"].flatMap { $0.isEmpty ? nil : $0 }
        addEntity(
            AddressBookEntity(id: id, name: name, kind: kind, owner: owner, metadataJSON: metadataJSON, line: line),
            file: file)
        if let addresses = node.mapping?["addresses"] {
            guard let items = addresses.sequence else {
                rejections.append(
                    FileRowRejection(
                        file: file, line: Self.line(addresses), reason: "addresses of '\(id)' must be a list"))
                return
            }
            for item in items { readYAMLAddress(item, entityID: id, file: file) }
        }
    }

    private mutating func readYAMLAddress(_ node: Node, entityID: String?, file: String) {
        let line = Self.line(node)
        let allowed: Set<String> =
            entityID == nil ? ["entity", "chain_id", "address", "role"] : ["chain_id", "address", "role"]
        guard let fields = Self.scalarFields(node, allowed: allowed, nested: []) else {
            rejections.append(
                FileRowRejection(
                    file: file, line: line,
                    reason:
                        "an address must be a mapping of \(allowed.sorted().joined(separator: ", ")) with scalar values"
                ))
            return
        }
        let entity = entityID ?? fields["entity"] ?? ""
        guard !entity.isEmpty else {
            rejections.append(FileRowRejection(file: file, line: line, reason: "the address names no entity"))
            return
        }
        addAddress(
            entityID: entity, chainID: fields["chain_id"] ?? "", address: fields["address"] ?? "",
            role: fields["role"] ?? "", file: file, line: line)
    }

    /// The scalar values of a mapping's keys, trimmed; nil when it is not a mapping, has an
    /// unknown key, or a non-scalar value outside `nested`.
    private static func scalarFields(_ node: Node, allowed: Set<String>, nested: Set<String>) -> [String: String]? {
        guard let mapping = node.mapping else { return nil }
        var fields: [String: String] = [:]
        for (key, value) in mapping {
            guard let name = key.string, allowed.contains(name) else { return nil }
            if nested.contains(name) { continue }
            guard let scalar = value.scalar else { return nil }
            fields[name] = scalar.string.trimmingASCIIWhitespace()
        }
        return fields
    }

    private static func line(_ node: Node) -> Int { node.mark.map { $0.line } ?? 0 }
}

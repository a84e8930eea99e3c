import ChainETLCore

/// Where each `executions` column is found in an application-event row: `mapping:` of
/// `normalize/executions`, column name to a dotted field path (`result_data.filled_size`).
struct ExecutionMapping: Equatable, Sendable {
    /// A column the mapping can fill.
    enum Column: String, CaseIterable, Sendable {
        case executionID = "execution_id"
        case venue
        case account
        case executedAt = "executed_at"
        case status
        case filledSize = "filled_size"
        case fillPrice = "fill_price"
        case isTest = "is_test"
        case symbol
        case side

        /// Columns every mapping must name.
        static let required: [Column] = [.executionID, .venue, .account, .executedAt, .status, .filledSize, .fillPrice]
    }

    let paths: [Column: JSONFieldPath]

    init(paths: [Column: JSONFieldPath]) {
        self.paths = paths
    }

    /// Reads `mapping:`; every problem is a located diagnostic.
    init(node: ConfigNode, stageID: String) throws(ConfigDiagnostic) {
        guard case .mapping(let pairs) = node.value else {
            throw ConfigDiagnostic(
                location: node.location, message: "mapping of stage \(stageID) must be a mapping of column: field.path",
                hint: "write mapping: { execution_id: id, venue: venue, … }")
        }
        var paths: [Column: JSONFieldPath] = [:]
        for pair in pairs {
            guard let column = Column(rawValue: pair.key) else {
                let known = Column.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigDiagnostic(
                    location: pair.keyLocation, message: "unknown executions column '\(pair.key)' in mapping",
                    hint: "map one of: \(known)")
            }
            guard case .scalar(let text) = pair.value.value, let path = JSONFieldPath(text) else {
                throw ConfigDiagnostic(
                    location: pair.value.location,
                    message: "mapping for '\(pair.key)' must be a field path such as result_data.filled_size",
                    hint: "write \(pair.key): field.path")
            }
            guard paths[column] == nil else {
                throw ConfigDiagnostic(
                    location: pair.keyLocation, message: "column '\(pair.key)' is mapped twice",
                    hint: "keep one \(pair.key): line")
            }
            paths[column] = path
        }
        for column in Column.required where paths[column] == nil {
            throw ConfigDiagnostic(
                location: node.location, message: "mapping of stage \(stageID) does not map '\(column.rawValue)'",
                hint: "add \(column.rawValue): <field path in the event>")
        }
        self.paths = paths
    }
}

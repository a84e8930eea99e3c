/// A canonical transfer record line that cannot be read back.
public enum TransferRecordError: Error, Equatable, CustomStringConvertible {
    /// The line is not valid JSON.
    case notJSON(String)
    /// The line is JSON but not an object.
    case notAnObject
    /// A required key is absent.
    case missingField(String)
    /// A key the `transfer/1` schema does not have.
    case unknownField(String)
    /// A key holds the wrong kind of value.
    case wrongType(field: String, expected: String)

    public var description: String {
        switch self {
        case .notJSON(let detail):
            return "transfer record is not valid json (\(detail)); the checkpoint is corrupt, rerun normalize"
        case .notAnObject:
            return "transfer record is not a json object; the checkpoint is corrupt, rerun normalize"
        case .missingField(let name):
            return "transfer record lacks \"\(name)\"; rerun normalize to rewrite it in schema transfer/1"
        case .unknownField(let name):
            return "transfer record has unknown key \"\(name)\"; it was written by a newer chainetl, upgrade"
        case .wrongType(let field, let expected):
            return "transfer record field \"\(field)\" is not \(expected); rerun normalize to rewrite it"
        }
    }
}

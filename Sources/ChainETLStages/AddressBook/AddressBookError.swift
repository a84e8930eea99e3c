/// Why an address book cannot be read or loaded (bad rows are quarantined, never thrown).
enum AddressBookError: Error, Equatable, CustomStringConvertible {
    /// The format cannot be told from the file name.
    case unknownFormat(path: String)
    /// The YAML does not parse.
    case invalidYAML(path: String, reason: String)
    /// The YAML parses but is not shaped like an address book.
    case invalidStructure(path: String, line: Int, reason: String)

    var description: String {
        switch self {
        case .unknownFormat(let path):
            "\(path): cannot tell the address book format from the file name; set format: csv or format: yaml"
        case .invalidYAML(let path, let reason):
            "\(path): the address book is not valid yaml: \(reason)"
        case .invalidStructure(let path, let line, let reason):
            "\(path):\(line): \(reason)"
        }
    }
}

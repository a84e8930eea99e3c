/// Why a file source, or a stage reading one of its files, cannot go on.
enum FileSourceError: Error, Equatable, CustomStringConvertible {
    /// The file cannot be opened or read.
    case unreadable(path: String, reason: String)
    /// A CSV file has no header line.
    case missingHeader(path: String)
    /// A CSV header names a column twice or has an empty name.
    case invalidHeader(path: String, line: Int, reason: String)
    /// A CSV file lacks a column the stage needs.
    case missingColumn(path: String, column: String)
    /// The format cannot be told from the file name.
    case unknownFormat(path: String)

    var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read \(path): \(reason); check that the file exists and is readable"
        case .missingHeader(let path):
            "\(path): the csv file has no header line; add one naming the columns"
        case .invalidHeader(let path, let line, let reason):
            "\(path):\(line): invalid csv header: \(reason); give every column one unique name"
        case .missingColumn(let path, let column):
            "\(path): the csv header has no '\(column)' column; add it"
        case .unknownFormat(let path):
            "\(path): cannot tell the format from the file name; set format: ndjson or format: csv"
        }
    }
}

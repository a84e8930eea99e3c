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
    /// The file holds no rows: never read as "0 rows", which would replace loaded data with nothing.
    case emptyFile(stage: String, path: String)
    /// More of the file's rows were quarantined than `quarantine_threshold` allows.
    case quarantineThresholdExceeded(
        stage: String, partition: String, path: String, quarantined: Int, rowsIn: Int, maximumFraction: Double,
        examples: [String], keptFile: String?)
    /// A reload would remove more of the previously loaded rows than `max_shrink` allows.
    case shrinkRefused(
        stage: String, partition: String, source: String, what: String, removed: Int, previous: Int,
        maximumFraction: Double, forceCommand: String)

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
        case .emptyFile(let stage, let path):
            "stage \(stage): \(path) holds no rows; an empty file is refused rather than loaded as 0 rows, "
                + "which would remove what was loaded before; restore the file's rows and rerun"
        case .quarantineThresholdExceeded(
            let stage, let partition, let path, let quarantined, let rowsIn, let maximumFraction, let examples,
            let keptFile):
            "stage \(stage), partition \(partition): quarantined \(quarantined) of \(rowsIn) rows of \(path) "
                + "(\(Self.percent(rowsIn == 0 ? 0 : Double(quarantined) / Double(rowsIn)))), above the "
                + "\(Self.percent(maximumFraction)) quarantine_threshold; nothing was loaded"
                + (examples.isEmpty ? "" : "; first: \(examples.joined(separator: " | "))")
                + "; inspect \(keptFile ?? "the rows named above"), then fix the file or raise quarantine_threshold "
                + "in the with: of stage \(stage)"
        case .shrinkRefused(
            let stage, let partition, let source, let what, let removed, let previous, let maximumFraction,
            let forceCommand):
            "stage \(stage), partition \(partition): reloading \(source) would remove \(removed) of the \(previous) "
                + "\(what) loaded from it before (\(Self.percent(Double(removed) / Double(previous)))), more than "
                + "max_shrink \(Self.percent(maximumFraction)); nothing was changed. Check the file; if the removal "
                + "is intended, run \(forceCommand), or set allow_shrink: true in the with: of stage \(stage)"
        }
    }

    private static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        return value == value.rounded() ? "\(Int(value)) %" : "\((value * 100).rounded() / 100) %"
    }
}

import ChainETLCore

/// Reads a daily price file: CSV with a header naming `chain_id`, `token_address`, `day`
/// (`YYYY-MM-DD`, UTC) and `usd` (an exact decimal), in any order; other columns are ignored.
///
/// Streams the file and hands over only the rows of the requested day; bad rows are rejected
/// with `file:line` and a reason, in the partition of their day (or every partition when the day
/// cannot be read). `usd` must be an exact decimal, > 0 and < 10^30.
struct PriceFile {
    /// What one pass found.
    struct Counts: Equatable, Sendable {
        var rowsIn = 0
        var rowsOut = 0
        var quarantined = 0
        var excluded = 0
        /// Of the excluded rows, those of other days (bad ones included when their day is readable).
        var otherDays = 0
    }

    static let columns = ["chain_id", "token_address", "day", "usd"]

    let path: String
    let displayPath: String

    func prices(
        on day: PartitionDay, emit: (TokenPrice) throws -> Void, reject: (FileRowRejection) throws -> Void
    ) throws -> Counts {
        var counts = Counts()
        let reader = try CSVRecordReader(path: path)
        var index: [String: Int]?
        var width = 0
        while let record = try reader.next() {
            guard let columns = index else {
                switch record {
                case .malformed(let reason, let line):
                    throw FileSourceError.invalidHeader(path: displayPath, line: line, reason: reason)
                case .fields(let names, _):
                    var header: [String: Int] = [:]
                    for (position, name) in names.enumerated() { header[name.trimmingASCIIWhitespace()] = position }
                    for column in Self.columns where header[column] == nil {
                        throw FileSourceError.missingColumn(path: displayPath, column: column)
                    }
                    index = header
                    width = names.count
                }
                continue
            }
            counts.rowsIn += 1
            switch record {
            case .malformed(let reason, let line):
                counts.quarantined += 1
                try reject(FileRowRejection(file: displayPath, line: line, reason: reason))
            case .fields(let fields, let line):
                guard fields.count == width else {
                    counts.quarantined += 1
                    try reject(
                        FileRowRejection(
                            file: displayPath, line: line,
                            reason: "the record has \(fields.count) fields but the header has \(width)",
                            text: fields.joined(separator: ",")))
                    continue
                }
                let value: (String) -> String = { fields[columns[$0]!].trimmingASCIIWhitespace() }
                switch Self.price(
                    chainID: value("chain_id"), token: value("token_address"), day: value("day"), usd: value("usd"))
                {
                case .failure where PartitionDay(value("day")).map({ $0 != day }) ?? false:
                    // That day's partition quarantines it; here it is only another day's row.
                    counts.excluded += 1
                    counts.otherDays += 1
                case .failure(let problem):
                    counts.quarantined += 1
                    try reject(
                        FileRowRejection(
                            file: displayPath, line: line, reason: problem.description,
                            text: fields.joined(separator: ",")))
                case .success(let price) where price.day != day:
                    counts.excluded += 1
                    counts.otherDays += 1
                case .success(let price):
                    counts.rowsOut += 1
                    try emit(price)
                }
            }
        }
        if index == nil { throw FileSourceError.missingHeader(path: displayPath) }
        return counts
    }

    /// A validated price, or every reason it is not one.
    static func price(chainID: String, token: String, day: String?, usd: String) -> Result<TokenPrice, PricesError> {
        var problems: [String] = []
        let chain = Int(chainID).flatMap { $0 > 0 ? $0 : nil }
        if chain == nil { problems.append("chain_id '\(chainID.prefix(30))' is not a positive chain id") }
        let address = token.lowercased()
        if !AddressBookFile.isAddress(address) {
            problems.append("token_address '\(token.prefix(60))' is not 0x + 40 hex digits")
        }
        var parsedDay: PartitionDay?
        if let day {
            parsedDay = PartitionDay(day)
            if parsedDay == nil { problems.append("day '\(day.prefix(30))' is not YYYY-MM-DD") }
        }
        var amount = ""
        switch DecimalText.validate(usd, positive: true) {
        case .success(let text): amount = text
        case .failure(let problem): problems.append("usd \(problem)")
        }
        guard problems.isEmpty, let chain else { return .failure(.invalidPrice(reasons: problems)) }
        return .success(TokenPrice(chainID: chain, tokenAddress: address, day: parsedDay, usd: amount))
    }
}

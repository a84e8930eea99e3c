import ChainETLCore

/// Turns one `file-row/1` line into an `ExecutionRecord`, or a rejection naming `file:line` and
/// every field that is wrong.
///
/// Text fields accept JSON strings and numbers (an id of `12345` is the text `12345`); amounts
/// must be exact decimals (JSON number tokens or strings, never read through a float); `is_test`
/// accepts booleans, `0`/`1` and `true`/`false`/`yes`/`no`/`t`/`f` text (missing = false).
/// A row whose status counts for volume must carry both `filled_size` and `fill_price`.
struct ExecutionRowParser {
    let mapping: ExecutionMapping
    /// Statuses whose rows need a size and a price (the volume statuses).
    let volumeStatuses: Set<String>

    /// The record, or a rejection (whose `file`/`line` fall back to `fallbackFile` and
    /// `fallbackLine` when the line is not a `file-row/1` object).
    func parse(_ line: UnsafeRawBufferPointer, fallbackFile: String, fallbackLine: Int) -> Result<
        ExecutionRecord, FileRowRejection
    > {
        let scanner = JSONScanner(bytes: line)
        guard let root = try? scanner.root(), root.kind == .object,
            let rowSlice = try? scanner.member("row", of: root), rowSlice.kind == .object
        else {
            return .failure(
                FileRowRejection(
                    file: fallbackFile, line: fallbackLine, reason: "not a file-row/1 line with a row object",
                    text: FileRowRejection.rawText(line)))
        }
        let file =
            (try? scanner.member("file", of: root)).flatMap { $0?.kind == .string ? $0 : nil }
            .flatMap { try? scanner.string($0) } ?? fallbackFile
        let lineNumber =
            (try? scanner.member("line", of: root)).flatMap { $0?.kind == .number ? $0 : nil }
            .flatMap { Int(String(decoding: scanner.rawBytes($0), as: UTF8.self)) } ?? fallbackLine

        var problems: [String] = []
        func slice(_ column: ExecutionMapping.Column) -> JSONSlice? {
            guard let path = mapping.paths[column] else { return nil }
            return (try? path.resolve(in: scanner, object: rowSlice)) ?? nil
        }
        func note(_ column: ExecutionMapping.Column, _ problem: FieldProblem) {
            let path = mapping.paths[column].map { " (\($0))" } ?? ""
            problems.append("\(column.rawValue)\(path) \(problem)")
        }
        func text(_ column: ExecutionMapping.Column, required: Bool) -> String? {
            switch Self.text(slice(column), in: scanner) {
            case .success(let value): return value
            case .failure(.missing) where !required: return nil
            case .failure(let problem):
                note(column, problem)
                return nil
            }
        }
        func decimal(_ column: ExecutionMapping.Column) -> Result<String, FieldProblem> {
            guard let value = slice(column) else { return .failure(.missing) }
            switch value.kind {
            case .number:
                return DecimalText.validate(String(decoding: scanner.rawBytes(value), as: UTF8.self))
            case .string:
                guard let text = try? scanner.string(value) else { return .failure(.invalid("a malformed string")) }
                return DecimalText.validate(text)
            case .null:
                return .failure(.missing)
            default:
                return .failure(.invalid("not a decimal number"))
            }
        }

        let executionID = text(.executionID, required: true)
        let venue = text(.venue, required: true)
        let account = text(.account, required: true)
        let status = text(.status, required: true)?.lowercased()
        let symbol = text(.symbol, required: false)
        let side = text(.side, required: false)?.lowercased()
        var executedAt: EventTimestamp?
        switch slice(.executedAt).map({ EventTimestamp.parse($0, in: scanner) }) ?? .failure(.missing) {
        case .success(let value): executedAt = value
        case .failure(let problem): note(.executedAt, problem)
        }
        var isTest = false
        switch Self.flag(slice(.isTest), in: scanner) {
        case .success(let value): isTest = value
        case .failure(let problem): note(.isTest, problem)
        }
        let needsAmounts = status.map { volumeStatuses.contains($0) } ?? false
        var amounts: [ExecutionMapping.Column: String] = [:]
        for column in [ExecutionMapping.Column.filledSize, .fillPrice] {
            switch decimal(column) {
            case .success(let value): amounts[column] = value
            case .failure(.missing) where !needsAmounts: break
            case .failure(.missing): note(column, .invalid("required for status '\(status ?? "")'"))
            case .failure(let problem): note(column, problem)
            }
        }

        guard problems.isEmpty, let executionID, let venue, let account, let status, let executedAt else {
            return .failure(
                FileRowRejection(
                    file: file, line: lineNumber, reason: problems.joined(separator: "; "),
                    text: FileRowRejection.rawText(scanner.rawBytes(rowSlice))))
        }
        return .success(
            ExecutionRecord(
                executionID: executionID, venue: venue, account: account, executedAt: executedAt, status: status,
                symbol: symbol, side: side, filledSize: amounts[.filledSize], fillPrice: amounts[.fillPrice],
                isTest: isTest, file: file, line: lineNumber))
    }

    /// The UTC day of the row's `executed_at`, or nil when the line or that field cannot be read.
    func executedDay(_ line: UnsafeRawBufferPointer) -> PartitionDay? {
        let scanner = JSONScanner(bytes: line)
        guard let root = try? scanner.root(), root.kind == .object,
            let rowSlice = try? scanner.member("row", of: root), rowSlice.kind == .object,
            let path = mapping.paths[.executedAt],
            let slice = (try? path.resolve(in: scanner, object: rowSlice)) ?? nil,
            case .success(let time) = EventTimestamp.parse(slice, in: scanner)
        else { return nil }
        return time.day
    }

    /// A JSON string or number as text, trimmed; refuses empty text, NUL and nested values.
    static func text(_ slice: JSONSlice?, in scanner: JSONScanner) -> Result<String, FieldProblem> {
        guard let slice else { return .failure(.missing) }
        let value: String
        switch slice.kind {
        case .string:
            guard let decoded = try? scanner.string(slice) else { return .failure(.invalid("a malformed string")) }
            value = decoded.trimmingASCIIWhitespace()
        case .number, .bool:
            value = String(decoding: scanner.rawBytes(slice), as: UTF8.self)
        case .null:
            return .failure(.missing)
        case .object, .array:
            return .failure(.invalid("an object or array, not a value"))
        }
        if value.isEmpty { return .failure(.missing) }
        if value.utf8.contains(0) { return .failure(.invalid("contains a NUL character")) }
        return .success(value)
    }

    /// A test-mode flag; missing, null or empty means false.
    static func flag(_ slice: JSONSlice?, in scanner: JSONScanner) -> Result<Bool, FieldProblem> {
        guard let slice else { return .success(false) }
        let word: String
        switch slice.kind {
        case .null: return .success(false)
        case .bool, .number: word = String(decoding: scanner.rawBytes(slice), as: UTF8.self)
        case .string:
            guard let decoded = try? scanner.string(slice) else { return .failure(.invalid("a malformed string")) }
            word = decoded.trimmingASCIIWhitespace().lowercased()
        default: return .failure(.invalid("not a boolean"))
        }
        switch word {
        case "", "false", "f", "0", "no", "n": return .success(false)
        case "true", "t", "1", "yes", "y": return .success(true)
        default: return .failure(.invalid("'\(word.prefix(20))' is not true or false"))
        }
    }
}

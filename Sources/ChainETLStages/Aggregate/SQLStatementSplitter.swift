/// Splits SQL text into statements at `;` outside string literals, quoted identifiers and comments.
///
/// Dollar quoting is refused rather than parsed: aggregate files hold plain DML, and function
/// bodies belong in `schemas/` migrations. `$n` parameter references are recorded per statement.
struct SQLStatementSplitter {
    /// One statement from its first code character (leading comments dropped) to before its `;`.
    struct Statement: Equatable, Sendable {
        var text: String
        /// 1-based line of the statement's first code character.
        var line: Int
        /// The highest `$n` referenced, 0 when none.
        var highestParameter: Int
    }

    /// A construct the splitter cannot handle, with its 1-based line.
    enum Failure: Error, Equatable {
        case dollarQuoting(line: Int)
        case unterminated(line: Int, construct: String)
    }

    static func split(_ text: String) throws(Failure) -> [Statement] {
        let bytes = Array(text.utf8)
        var statements: [Statement] = []
        var line = 1
        var codeLine: Int?
        var codeStart = 0
        var highest = 0
        var index = 0

        func finish(upTo end: Int) {
            if let firstLine = codeLine {
                let raw = String(decoding: bytes[codeStart..<end], as: UTF8.self)
                statements.append(
                    Statement(text: raw.trimmingWhitespace(), line: firstLine, highestParameter: highest))
            }
            codeLine = nil
            highest = 0
        }

        while index < bytes.count {
            let byte = bytes[index]
            let next: UInt8? = index + 1 < bytes.count ? bytes[index + 1] : nil
            let startsComment = (byte == ascii("-") && next == ascii("-")) || (byte == ascii("/") && next == ascii("*"))
            if codeLine == nil, !isWhitespace(byte), byte != ascii(";"), !startsComment {
                codeLine = line
                codeStart = index
            }
            switch byte {
            case ascii("\n"):
                line += 1
                index += 1
            case ascii("-") where next == ascii("-"):
                while index < bytes.count, bytes[index] != ascii("\n") { index += 1 }
            case ascii("/") where next == ascii("*"):
                let opened = line
                var depth = 0
                repeat {
                    if index + 1 < bytes.count, bytes[index] == ascii("/"), bytes[index + 1] == ascii("*") {
                        depth += 1
                        index += 2
                    } else if index + 1 < bytes.count, bytes[index] == ascii("*"), bytes[index + 1] == ascii("/") {
                        depth -= 1
                        index += 2
                    } else {
                        if bytes[index] == ascii("\n") { line += 1 }
                        index += 1
                    }
                } while depth > 0 && index < bytes.count
                if depth > 0 { throw .unterminated(line: opened, construct: "block comment") }
            case ascii("'"), ascii("\""):
                let opened = line
                let backslashEscapes = byte == ascii("'") && isEscapeStringPrefix(bytes, quoteAt: index)
                index += 1
                var closed = false
                while index < bytes.count {
                    let current = bytes[index]
                    if current == ascii("\n") { line += 1 }
                    if backslashEscapes, current == ascii("\\") {
                        if index + 1 < bytes.count, bytes[index + 1] == ascii("\n") { line += 1 }
                        index += 2
                        continue
                    }
                    if current == byte {
                        if index + 1 < bytes.count, bytes[index + 1] == byte {
                            index += 2
                            continue
                        }
                        index += 1
                        closed = true
                        break
                    }
                    index += 1
                }
                if !closed {
                    throw .unterminated(
                        line: opened, construct: byte == ascii("'") ? "string literal" : "quoted identifier")
                }
            case ascii("$"):
                if index > 0, isIdentifierByte(bytes[index - 1]) {
                    index += 1  // part of an identifier such as a$b
                } else if let next, isDigit(next) {
                    var number = 0
                    index += 1
                    while index < bytes.count, isDigit(bytes[index]) {
                        number = number &* 10 &+ Int(bytes[index] - ascii("0"))
                        index += 1
                    }
                    highest = max(highest, number)
                } else {
                    throw .dollarQuoting(line: line)
                }
            case ascii(";"):
                finish(upTo: index)
                index += 1
            default:
                index += 1
            }
        }
        finish(upTo: bytes.count)
        return statements
    }

    /// `E'…'` / `e'…'` strings treat backslash as an escape.
    private static func isEscapeStringPrefix(_ bytes: [UInt8], quoteAt index: Int) -> Bool {
        guard index > 0, bytes[index - 1] == ascii("E") || bytes[index - 1] == ascii("e") else { return false }
        return index < 2 || !isIdentifierByte(bytes[index - 2])
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20) >= ascii("a") && (byte | 0x20) <= ascii("z") || byte == ascii("_")
            || byte == ascii("$") || byte >= 0x80
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= ascii("0") && byte <= ascii("9") }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == ascii(" ") || byte == ascii("\t") || byte == ascii("\n") || byte == ascii("\r")
    }

    private static func ascii(_ character: Unicode.Scalar) -> UInt8 { UInt8(ascii: character) }
}

extension String {
    /// The string without leading and trailing ASCII whitespace.
    fileprivate func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

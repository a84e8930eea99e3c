/// Splits a `.sql` file into single statements, so each can be sent with bound parameters
/// (the extended protocol accepts one statement at a time).
///
/// Semicolons inside quotes, quoted identifiers, dollar-quoted bodies and comments do not split.
struct SQLScript {
    /// One statement and the highest `$n` placeholder it uses (0 for none).
    struct Statement: Equatable {
        var text: String
        var highestParameter: Int
    }

    /// The statements, trimmed, without their terminating semicolons; empty ones dropped.
    let statements: [Statement]

    init(_ text: String) {
        var statements: [Statement] = []
        let scalars = Array(text.unicodeScalars)
        var current = String.UnicodeScalarView()
        var index = 0
        var hasCode = false
        var highestParameter = 0

        func flush() {
            let statement = String(current).trimmingWhitespace()
            if hasCode && !statement.isEmpty {
                statements.append(Statement(text: statement, highestParameter: highestParameter))
            }
            current = String.UnicodeScalarView()
            hasCode = false
            highestParameter = 0
        }
        func peek(_ offset: Int) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }

        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case ";":
                flush()
                index += 1
            case "-" where peek(1) == "-":
                while index < scalars.count && scalars[index] != "\n" {
                    current.append(scalars[index])
                    index += 1
                }
            case "/" where peek(1) == "*":
                var depth = 0
                repeat {
                    if scalars[index] == "/" && peek(1) == "*" {
                        depth += 1
                        current.append(contentsOf: "/*".unicodeScalars)
                        index += 2
                    } else if scalars[index] == "*" && peek(1) == "/" {
                        depth -= 1
                        current.append(contentsOf: "*/".unicodeScalars)
                        index += 2
                    } else {
                        current.append(scalars[index])
                        index += 1
                    }
                } while depth > 0 && index < scalars.count
            case "'", "\"":
                // Doubled quotes inside a quoted text are two adjacent quoted texts: same result.
                let escapes = scalar == "'" && index > 0 && (scalars[index - 1] == "E" || scalars[index - 1] == "e")
                current.append(scalar)
                index += 1
                while index < scalars.count {
                    let inner = scalars[index]
                    current.append(inner)
                    index += 1
                    if escapes && inner == "\\" && index < scalars.count {
                        current.append(scalars[index])
                        index += 1
                    } else if inner == scalar {
                        break
                    }
                }
                hasCode = true
            case "$":
                if let tag = Self.dollarTag(scalars, at: index) {
                    current.append(contentsOf: tag)
                    index += tag.count
                    while index < scalars.count && !Self.matches(scalars, at: index, tag) {
                        current.append(scalars[index])
                        index += 1
                    }
                    if index < scalars.count {
                        current.append(contentsOf: tag)
                        index += tag.count
                    }
                } else {
                    current.append(scalar)
                    index += 1
                    var digits = 0
                    var number = 0
                    while index < scalars.count, let digit = Self.asciiDigit(scalars[index]) {
                        number = number * 10 + digit
                        digits += 1
                        current.append(scalars[index])
                        index += 1
                    }
                    if digits > 0 { highestParameter = max(highestParameter, number) }
                }
                hasCode = true
            default:
                if !scalar.properties.isWhitespace { hasCode = true }
                current.append(scalar)
                index += 1
            }
        }
        flush()
        self.statements = statements
    }

    /// `$tag$` or `$$` starting at `index`; nil for a positional parameter such as `$1`.
    private static func dollarTag(_ scalars: [Unicode.Scalar], at index: Int) -> [Unicode.Scalar]? {
        var end = index + 1
        while end < scalars.count, scalars[end] != "$" {
            let scalar = scalars[end]
            let isTagScalar =
                scalar == "_" || scalar.properties.isAlphabetic
                || (end > index + 1 && ("0"..."9").contains(scalar))
            guard isTagScalar else { return nil }
            end += 1
        }
        guard end < scalars.count else { return nil }
        return Array(scalars[index...end])
    }

    private static func asciiDigit(_ scalar: Unicode.Scalar) -> Int? {
        ("0"..."9").contains(scalar) ? Int(scalar.value - 48) : nil
    }

    private static func matches(_ scalars: [Unicode.Scalar], at index: Int, _ tag: [Unicode.Scalar]) -> Bool {
        guard index + tag.count <= scalars.count else { return false }
        return Array(scalars[index..<(index + tag.count)]) == tag
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}

import CLibPQ

/// Where to connect, resolved in the documented order, plus password redaction for messages.
struct ConnectionTarget {
    /// Which setting supplied the connection string.
    enum Source: String {
        case argument = "--database-url"
        case environment = "DATABASE_URL"
        case libpqDefaults = "PG* variables"
    }

    /// A libpq URL or key=value string; empty means libpq's own PG* variables and defaults.
    let conninfo: String
    let source: Source
    /// Secrets that must never appear in a message (the password from the URL or PGPASSWORD).
    let secrets: [String]

    /// The argument wins, then `DATABASE_URL`, then libpq's `PG*` variables (empty conninfo).
    static func resolve(url: String?, environment: [String: String]) -> ConnectionTarget {
        let conninfo: String
        let source: Source
        if let url, !url.isEmpty {
            (conninfo, source) = (url, .argument)
        } else if let url = environment["DATABASE_URL"], !url.isEmpty {
            (conninfo, source) = (url, .environment)
        } else {
            (conninfo, source) = ("", .libpqDefaults)
        }
        var secrets = [String]()
        if let password = parsedPassword(conninfo), !password.isEmpty { secrets.append(password) }
        if let password = environment["PGPASSWORD"], !password.isEmpty { secrets.append(password) }
        return ConnectionTarget(conninfo: conninfo, source: source, secrets: secrets)
    }

    /// `text` with every known secret and every URL or `password=` password replaced by `***`.
    func redact(_ text: String) -> String {
        var result = Self.redactPasswordPatterns(text)
        for secret in secrets.sorted(by: { $0.count > $1.count }) {
            result = Redaction.replacing(secret, with: "***", in: result)
        }
        return result
    }

    /// The password libpq would use from the conninfo itself, if it parses.
    private static func parsedPassword(_ conninfo: String) -> String? {
        guard !conninfo.isEmpty else { return nil }
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            return nil
        }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "password", let value = option.pointee.val {
                return String(cString: value)
            }
            option += 1
        }
        return nil
    }

    /// Masks `user:password@` in URLs and `password=value` in key=value strings and URL queries.
    static func redactPasswordPatterns(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        // URL userinfo: scheme://user:password@host
        var searchFrom = 0
        while let schemeEnd = index(of: "://", in: scalars, from: searchFrom) {
            let authorityStart = schemeEnd + 3
            var authorityEnd = authorityStart
            while authorityEnd < scalars.count, !"/?# \n".unicodeScalars.contains(scalars[authorityEnd]) {
                authorityEnd += 1
            }
            if let at = scalars[authorityStart..<authorityEnd].lastIndex(of: "@"),
                let colon = scalars[authorityStart..<at].firstIndex(of: ":"), colon + 1 < at
            {
                scalars.replaceSubrange((colon + 1)..<at, with: "***".unicodeScalars)
                authorityEnd = colon + 4 + (authorityEnd - at)
            }
            searchFrom = authorityEnd
        }
        // password=value (key=value conninfo, possibly quoted) and ?password=value / &password=value
        searchFrom = 0
        while let keyStart = index(of: "password", in: scalars, from: searchFrom, caseInsensitive: true) {
            var cursor = keyStart + 8
            while cursor < scalars.count, scalars[cursor] == " " { cursor += 1 }
            guard cursor < scalars.count, scalars[cursor] == "=" else {
                searchFrom = keyStart + 8
                continue
            }
            cursor += 1
            while cursor < scalars.count, scalars[cursor] == " " { cursor += 1 }
            let valueStart = cursor
            if cursor < scalars.count, scalars[cursor] == "'" {
                cursor += 1
                while cursor < scalars.count, scalars[cursor] != "'" {
                    if scalars[cursor] == "\\" { cursor += 1 }
                    cursor += 1
                }
                cursor = min(cursor + 1, scalars.count)
            } else {
                while cursor < scalars.count, !" &\n\"".unicodeScalars.contains(scalars[cursor]) { cursor += 1 }
            }
            scalars.replaceSubrange(valueStart..<cursor, with: "***".unicodeScalars)
            searchFrom = valueStart + 3
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }

    private static func index(
        of needle: String, in haystack: [Unicode.Scalar], from start: Int, caseInsensitive: Bool = false
    ) -> Int? {
        let pattern = Array(needle.unicodeScalars)
        guard !pattern.isEmpty, haystack.count >= pattern.count, start <= haystack.count - pattern.count else {
            return nil
        }
        for offset in start...(haystack.count - pattern.count) {
            var matches = true
            for (patternIndex, expected) in pattern.enumerated() {
                var actual = haystack[offset + patternIndex]
                if caseInsensitive, ("A"..."Z").contains(actual) {
                    actual = Unicode.Scalar(actual.value + 32)!
                }
                if actual != expected {
                    matches = false
                    break
                }
            }
            if matches { return offset }
        }
        return nil
    }
}

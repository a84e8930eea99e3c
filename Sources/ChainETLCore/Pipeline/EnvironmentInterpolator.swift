/// Expands `${VAR}`, `${VAR:-default}` and `$$` in pipeline string values.
///
/// Follows the shell: `${VAR:-default}` uses the default when `VAR` is unset *or empty*, and the
/// default is only expanded when it is used (so it may itself hold `${OTHER}`). A `$` followed by
/// anything else is kept as is, so `price: $5` needs no escaping.
struct EnvironmentInterpolator: Sendable {
    /// Why a value could not be expanded.
    enum Failure: Error, Equatable {
        /// `${NAME}` with `NAME` unset and no default.
        case unsetVariable(String)
        /// `${` without its closing `}`.
        case unterminated
        /// `${…}` holding something other than a name, optionally followed by `:-default`.
        case malformed(String)
    }

    let environment: [String: String]

    /// Whether `text` contains anything to expand (cheap check before `expand`).
    static func mayInterpolate(_ text: String) -> Bool { text.contains("$") }

    func expand(_ text: String) throws(Failure) -> String {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        let result = try expand(scalars, &index, insideDefault: false, evaluate: true)
        return result
    }

    private func expand(
        _ scalars: [Unicode.Scalar], _ index: inout Int, insideDefault: Bool, evaluate: Bool
    ) throws(Failure) -> String {
        var output = String.UnicodeScalarView()
        while index < scalars.count {
            let scalar = scalars[index]
            if insideDefault && scalar == "}" { return String(output) }
            guard scalar == "$", index + 1 < scalars.count else {
                output.append(scalar)
                index += 1
                continue
            }
            let next = scalars[index + 1]
            if next == "$" {
                output.append("$")
                index += 2
                continue
            }
            guard next == "{" else {
                output.append(scalar)
                index += 1
                continue
            }
            let referenceStart = index
            index += 2
            let nameStart = index
            while index < scalars.count, Self.isNameScalar(scalars[index]) { index += 1 }
            let name = String(String.UnicodeScalarView(scalars[nameStart..<index]))
            guard index < scalars.count else { throw .unterminated }
            guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else {
                throw .malformed(Self.excerpt(scalars, from: referenceStart))
            }
            if scalars[index] == "}" {
                index += 1
                if evaluate {
                    guard let value = environment[name] else { throw .unsetVariable(name) }
                    output.append(contentsOf: value.unicodeScalars)
                }
                continue
            }
            guard scalars[index] == ":", index + 1 < scalars.count, scalars[index + 1] == "-" else {
                throw .malformed(Self.excerpt(scalars, from: referenceStart))
            }
            index += 2
            let value = environment[name].flatMap { $0.isEmpty ? nil : $0 }
            let fallback = try expand(scalars, &index, insideDefault: true, evaluate: evaluate && value == nil)
            guard index < scalars.count, scalars[index] == "}" else { throw .unterminated }
            index += 1
            if evaluate { output.append(contentsOf: (value ?? fallback).unicodeScalars) }
        }
        if insideDefault { throw .unterminated }
        return String(output)
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
    }

    /// The reference as written, up to its `}` (at most 40 characters), for messages.
    private static func excerpt(_ scalars: [Unicode.Scalar], from start: Int) -> String {
        var end = start
        while end < scalars.count, end - start < 40 {
            end += 1
            if scalars[end - 1] == "}" { break }
        }
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }
}

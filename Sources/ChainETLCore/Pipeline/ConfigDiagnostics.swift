/// Every problem found in one or more pipeline files, in file and position order.
public struct ConfigDiagnostics: Error, Sendable, Hashable, CustomStringConvertible {
    public var diagnostics: [ConfigDiagnostic]

    public init(_ diagnostics: [ConfigDiagnostic]) {
        self.diagnostics = diagnostics
    }

    /// All diagnostics rendered one after the other, then a count line.
    public var description: String {
        let rendered = diagnostics.map(\.description).joined(separator: "\n")
        let count = diagnostics.count == 1 ? "1 error" : "\(diagnostics.count) errors"
        return diagnostics.isEmpty ? "no errors" : "\(rendered)\n\(count)"
    }
}

extension [ConfigDiagnostic] {
    /// Sorted by line and column (one file's diagnostics); ties keep their discovery order.
    func sortedByLocation() -> [ConfigDiagnostic] {
        enumerated().sorted { left, right in
            let l = left.element.location
            let r = right.element.location
            if l.line != r.line { return l.line < r.line }
            if l.column != r.column { return l.column < r.column }
            return left.offset < right.offset
        }.map(\.element)
    }
}

import ChainETLCore

/// A dotted path to a field of a JSON object, such as `result_data.filled_size`.
///
/// At each level a key equal to the whole remaining path wins over descending at a dot, so a CSV
/// column literally named `result_data.filled_size` resolves too.
struct JSONFieldPath: Hashable, Sendable, CustomStringConvertible {
    let text: String
    private let keyBytes: [UInt8]

    /// Nil when `text` is empty or has an empty segment (`a..b`, `.a`).
    init?(_ text: String) {
        guard !text.isEmpty, !text.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty)
        else { return nil }
        self.text = text
        self.keyBytes = Array(text.utf8)
    }

    var description: String { text }

    /// The value at this path inside `object`, or nil when a segment is missing or not an object.
    func resolve(in scanner: JSONScanner, object: JSONSlice) throws -> JSONSlice? {
        try resolve(in: scanner, object: object, from: 0)
    }

    private func resolve(in scanner: JSONScanner, object: JSONSlice, from start: Int) throws -> JSONSlice? {
        guard object.kind == .object else { return nil }
        let remaining = keyBytes[start...]
        var exact: JSONSlice?
        var prefixMatch: (value: JSONSlice, next: Int)?
        try scanner.forEachMember(of: object) { key, value in
            if Self.equal(scanner, key, remaining) {
                exact = value
                return false
            }
            if prefixMatch == nil, key.count < remaining.count,
                remaining[remaining.startIndex + key.count] == UInt8(ascii: "."),
                Self.equal(scanner, key, remaining.prefix(key.count))
            {
                prefixMatch = (value, start + key.count + 1)
            }
            return true
        }
        if let exact { return exact }
        guard let prefixMatch else { return nil }
        return try resolve(in: scanner, object: prefixMatch.value, from: prefixMatch.next)
    }

    private static func equal(_ scanner: JSONScanner, _ key: Range<Int>, _ bytes: ArraySlice<UInt8>) -> Bool {
        guard key.count == bytes.count else { return false }
        var index = bytes.startIndex
        for offset in key {
            if scanner.bytes[offset] != bytes[index] { return false }
            index += 1
        }
        return true
    }
}

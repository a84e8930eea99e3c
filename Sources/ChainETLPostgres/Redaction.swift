/// Keeps bound values out of error text that the server builds from them.
enum Redaction {
    /// `text` with each bound value the server echoed (e.g. `Key (k)=(value)`, `invalid input
    /// syntax for type integer: "value"`) replaced by its placeholder `$n`.
    ///
    /// Values of 4+ characters are replaced wherever they occur; shorter ones (small integers,
    /// flags) only where they stand alone, so ordinary words in the message survive.
    static func maskingBoundValues(in text: String, bindings: [String?]) -> String {
        let candidates = bindings.enumerated()
            .compactMap { index, value in value.flatMap { $0.isEmpty ? nil : ($0, "$\(index + 1)") } }
            .sorted { $0.0.unicodeScalars.count > $1.0.unicodeScalars.count }
        var result = text
        for (value, placeholder) in candidates {
            result = replacing(
                value, with: placeholder, in: result, wholeWordsOnly: value.unicodeScalars.count < 4)
        }
        return result
    }

    /// Every occurrence of `target` in `text` replaced; with `wholeWordsOnly`, only occurrences not
    /// touching a letter or digit on either side.
    static func replacing(
        _ target: String, with replacement: String, in text: String, wholeWordsOnly: Bool = false
    ) -> String {
        let source = Array(text.unicodeScalars)
        let pattern = Array(target.unicodeScalars)
        guard !pattern.isEmpty else { return text }
        var output = String.UnicodeScalarView()
        var position = 0
        while position < source.count {
            let end = position + pattern.count
            if end <= source.count, source[position..<end].elementsEqual(pattern),
                !wholeWordsOnly
                    || ((position == 0 || !isWordScalar(source[position - 1]))
                        && (end == source.count || !isWordScalar(source[end])))
            {
                output.append(contentsOf: replacement.unicodeScalars)
                position = end
            } else {
                output.append(source[position])
                position += 1
            }
        }
        return String(output)
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_"
    }
}

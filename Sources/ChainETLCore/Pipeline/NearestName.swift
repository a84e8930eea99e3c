/// Finds the known name closest to a misspelled one, for "did you mean …?" hints.
public enum NearestName {
    /// The candidate with the smallest edit distance to `name`, if it is close enough to be a plausible typo.
    ///
    /// "Close enough" is at most a third of the longer name's length (at least 2 edits), compared
    /// case-insensitively, so `chainid` finds `chain_id` but `foo` does not find `confirmations`.
    public static func nearest(to name: String, in candidates: some Sequence<String>) -> String? {
        let lowered = Array(name.lowercased().unicodeScalars)
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, Array(candidate.lowercased().unicodeScalars))
            let limit = max(2, max(lowered.count, candidate.unicodeScalars.count) / 3)
            guard distance <= limit else { continue }
            if let current = best, current.distance <= distance { continue }
            best = (candidate, distance)
        }
        return best?.name
    }

    /// A hint naming the nearest candidate, or listing them all when none is close.
    public static func hint(for name: String, in candidates: [String], noun: String) -> String {
        if let nearest = nearest(to: name, in: candidates) { return "did you mean '\(nearest)'?" }
        if candidates.isEmpty { return "no \(noun)s are declared" }
        return "known \(noun)s: " + candidates.joined(separator: ", ")
    }

    /// Levenshtein distance over Unicode scalars, two rows of memory.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

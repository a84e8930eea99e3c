/// A misbehaviour the simulator can inject instead of a normal answer.
public enum FaultKind: String, Sendable, CaseIterable, Codable {
    /// HTTP 502 with an HTML body.
    case badGateway = "502"
    /// HTTP 503 with an HTML body.
    case serviceUnavailable = "503"
    /// HTTP 429 with `Retry-After: 1`.
    case tooManyRequests = "429"
    /// The connection is closed without a response.
    case drop
    /// The correct answer, after 1–2 s.
    case slow
    /// The correct answer cut short, with a `Content-Length` matching the cut body.
    case truncate
    /// HTTP 200 `NOTOK` "Query Timeout occured. Please select a smaller result dataset".
    case timeout

    /// Parses a comma-separated list such as `502,503,429,drop,slow,truncate,timeout`.
    public static func parseList(_ text: String) throws(SimulatorError) -> [FaultKind] {
        var kinds: [FaultKind] = []
        for item in text.split(separator: ",") {
            let name = item.trimmingCharacters(in: .whitespaces).lowercased()
            guard let kind = FaultKind(rawValue: name) else {
                let known = allCases.map(\.rawValue).joined(separator: ",")
                throw .invalidOption("--faults", "has unknown kind \"\(name)\"; use a list of \(known)")
            }
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        return kinds
    }
}

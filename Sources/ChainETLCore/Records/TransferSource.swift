/// Which explorer endpoint a raw row came from: the `source` of raw checkpoint lines and of
/// canonical transfer records.
public enum TransferSource: String, Sendable, Hashable, CaseIterable, Codable {
    /// Etherscan `module=logs&action=getLogs`: every number is 0x-hex, `"0x"` is zero.
    case etherscanLogs = "etherscan-logs"
    /// Etherscan `module=account&action=tokentx`: decimal strings, no `logIndex`.
    case etherscanTokentx = "etherscan-tokentx"
    /// Blockscout's Etherscan-compatible `tokentx`: decimal strings, no `logIndex` since 2025-07.
    case blockscoutTokentx = "blockscout-tokentx"
    /// Blockscout's Etherscan-compatible `getLogs`: hex numbers, topics padded with null, no `blockHash`.
    case blockscoutLogs = "blockscout-logs"
    /// Blockscout REST v2 `token-transfers` items.
    case blockscoutV2 = "blockscout-v2"

    /// The source named by the UTF-8 bytes `name` (exact match), or nil.
    public init?(utf8 name: UnsafeRawBufferPointer) {
        // Switch on the length first: this runs once per raw line, so no `allCases` array.
        let candidate: TransferSource
        switch name.count {
        case 13: candidate = .blockscoutV2
        case 14: candidate = .etherscanLogs
        case 15: candidate = .blockscoutLogs
        case 17: candidate = .etherscanTokentx
        case 18: candidate = .blockscoutTokentx
        default: return nil
        }
        guard candidate.utf8Name.elementsEqual(name) else { return nil }
        self = candidate
    }

    /// The name's UTF-8 bytes, in static storage (valid for the life of the process).
    public var utf8Name: UnsafeRawBufferPointer {
        let name = staticName
        return UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
    }

    private var staticName: StaticString {
        switch self {
        case .etherscanLogs: return "etherscan-logs"
        case .etherscanTokentx: return "etherscan-tokentx"
        case .blockscoutTokentx: return "blockscout-tokentx"
        case .blockscoutLogs: return "blockscout-logs"
        case .blockscoutV2: return "blockscout-v2"
        }
    }

    /// Whether rows carry log fields (`topics`, `data`) rather than decoded transfer fields.
    public var isLogSource: Bool {
        self == .etherscanLogs || self == .blockscoutLogs
    }
}

/// A stable, non-reversible name for an API key: the rate limiter and quota counter key on it.
///
/// FNV-1a over the key bytes (64 bits, printed as 16 hex digits). The explorers target does not
/// depend on swift-crypto; a 64-bit digest of a ~34-character random key reveals nothing useful,
/// and the fingerprint is only ever compared for equality.
public struct APIKeyFingerprint: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    /// The fingerprint of `apiKey`; calls without a key share the fingerprint `keyless`.
    public init(apiKey: String?) {
        guard let apiKey, !apiKey.isEmpty else {
            value = "keyless"
            return
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in apiKey.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        value = "key-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    public var description: String { value }
}

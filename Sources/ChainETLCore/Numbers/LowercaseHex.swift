/// Bytes as lowercase hex text: digests in manifests and config hashes, and identities.
public enum LowercaseHex {
    /// `[0xab, 0x01]` → `ab01`.
    public static func text(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `0123456789abcdef`, for writers that put the digits into their own buffers.
    public static let digits: [UInt8] = Array("0123456789abcdef".utf8)
}

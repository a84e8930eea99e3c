import ChainETLCore

/// Lowercase hex renderings used by explorer rows and generated hashes.
enum HexFormat {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `0x` + minimal hex digits; zero is `"0x"` (Etherscan getLogs) or `"0x0"` (Blockscout, JSON-RPC).
    static func quantity(_ value: UInt64, bareZero: Bool) -> String {
        if value == 0 { return bareZero ? "0x" : "0x0" }
        return "0x" + String(value, radix: 16)
    }

    static func quantity(_ value: Int, bareZero: Bool) -> String {
        quantity(UInt64(value), bareZero: bareZero)
    }

    /// `0x` + exactly 64 hex digits: a 32-byte word.
    static func word(_ value: UInt256) -> String {
        var out: [UInt8] = [48, 120]
        out.reserveCapacity(66)
        for word in [value.words.3, value.words.2, value.words.1, value.words.0] {
            appendFixed(word, into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A 20-byte address left-padded to a 32-byte topic.
    static func topic(address: String) -> String {
        "0x000000000000000000000000" + address.dropFirst(2)
    }

    /// `0x` + `byteCount * 2` hex digits drawn from `rng` (hashes, addresses).
    static func randomBytes(_ byteCount: Int, _ rng: inout SplitMix64) -> String {
        var out: [UInt8] = [48, 120]
        out.reserveCapacity(2 + byteCount * 2)
        var remaining = byteCount
        while remaining > 0 {
            var word = rng.next()
            for _ in 0..<min(8, remaining) {
                let byte = UInt8(truncatingIfNeeded: word)
                word >>= 8
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
                remaining -= 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendFixed(_ word: UInt64, into out: inout [UInt8]) {
        var shift = 60
        while shift >= 0 {
            out.append(digits[Int((word >> UInt64(shift)) & 0x0F)])
            shift -= 4
        }
    }
}

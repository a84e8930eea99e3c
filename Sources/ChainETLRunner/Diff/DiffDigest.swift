/// A 128-bit non-cryptographic digest of bytes, for telling rows apart in a rerun diff.
///
/// Two independent 64-bit lanes (FNV-1a, and a multiply-rotate lane) with a final avalanche, so
/// two different rows share a digest with probability about 2^-128; a collision could only hide a
/// "changed" row, never invent one.
struct DiffDigest: Hashable, Sendable {
    var high: UInt64
    var low: UInt64

    /// Accumulates bytes, then `finish()` gives the digest.
    struct Builder {
        private var lane1: UInt64 = 0xcbf2_9ce4_8422_2325
        private var lane2: UInt64 = 0x9e37_79b9_7f4a_7c15
        private var count: UInt64 = 0

        mutating func add(_ bytes: UnsafeRawBufferPointer) {
            for byte in bytes {
                lane1 = (lane1 ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
                lane2 = ((lane2 ^ UInt64(byte)) &* 0xff51_afd7_ed55_8ccd)
                lane2 = (lane2 << 31) | (lane2 >> 33)
            }
            count &+= UInt64(bytes.count)
        }

        /// Adds a separator byte that cannot be confused with the end of a field.
        mutating func separate() {
            lane1 = (lane1 ^ 0x1ff) &* 0x0000_0100_0000_01b3
            lane2 = (lane2 ^ 0x1ff) &* 0xc4ce_b9fe_1a85_ec53
        }

        func finish() -> DiffDigest {
            DiffDigest(high: Self.mix(lane1 ^ count), low: Self.mix(lane2 &+ count))
        }

        private static func mix(_ value: UInt64) -> UInt64 {
            var z = value &+ 0x9e37_79b9_7f4a_7c15
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
    }

    static func of(_ bytes: UnsafeRawBufferPointer) -> DiffDigest {
        var builder = Builder()
        builder.add(bytes)
        return builder.finish()
    }

    static func of(_ bytes: [UInt8]) -> DiffDigest {
        bytes.withUnsafeBytes { of($0) }
    }

    /// 32 lowercase hex digits.
    var hex: String {
        func padded(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return padded(high) + padded(low)
    }
}

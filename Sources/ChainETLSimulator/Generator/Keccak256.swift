/// Keccak-256 as Ethereum uses it (the original Keccak padding `0x01`, not SHA3-256's `0x06`).
///
/// The simulator needs it only for EIP-55 checksummed addresses in Blockscout REST v2 items, so
/// this is the plain one-shot sponge: rate 136 bytes, capacity 512 bits, 24 rounds of Keccak-f[1600].
enum Keccak256 {
    /// The 32-byte digest of `message`.
    static func hash(_ message: some Collection<UInt8>) -> [UInt8] {
        sponge(message, domainByte: 0x01)
    }

    /// The sponge with `domainByte` as the first padding byte: `0x01` is Keccak-256, `0x06` is
    /// FIPS 202 SHA3-256 (same permutation), which lets tests check the permutation against
    /// Foundation-independent SHA3 vectors over several blocks.
    static func sponge(_ message: some Collection<UInt8>, domainByte: UInt8) -> [UInt8] {
        var state = [UInt64](repeating: 0, count: 25)
        var block = [UInt8](repeating: 0, count: rate)
        var filled = 0
        for byte in message {
            block[filled] = byte
            filled += 1
            if filled == rate {
                absorb(block, into: &state)
                filled = 0
            }
        }
        for index in filled..<rate { block[index] = 0 }
        block[filled] ^= domainByte
        block[rate - 1] ^= 0x80
        absorb(block, into: &state)

        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        for lane in state.prefix(4) {
            for shift in stride(from: 0, to: 64, by: 8) {
                digest.append(UInt8(truncatingIfNeeded: lane >> UInt64(shift)))
            }
        }
        return digest
    }

    /// Bytes absorbed per permutation (1600 − 2 × 256 bits).
    private static let rate = 136

    private static func absorb(_ block: [UInt8], into state: inout [UInt64]) {
        for lane in 0..<(rate / 8) {
            var value: UInt64 = 0
            for byte in 0..<8 { value |= UInt64(block[lane * 8 + byte]) << UInt64(8 * byte) }
            state[lane] ^= value
        }
        permute(&state)
    }

    /// Keccak-f[1600]: θ, ρ and π, χ, ι, 24 rounds.
    private static func permute(_ state: inout [UInt64]) {
        var columns = [UInt64](repeating: 0, count: 5)
        var moved = [UInt64](repeating: 0, count: 25)
        for round in 0..<24 {
            for x in 0..<5 {
                columns[x] = state[x] ^ state[x + 5] ^ state[x + 10] ^ state[x + 15] ^ state[x + 20]
            }
            for x in 0..<5 {
                let d = columns[(x + 4) % 5] ^ rotate(columns[(x + 1) % 5], 1)
                for y in stride(from: 0, to: 25, by: 5) { state[y + x] ^= d }
            }
            for x in 0..<5 {
                for y in 0..<5 {
                    let source = x + 5 * y
                    moved[y + 5 * ((2 * x + 3 * y) % 5)] = rotate(state[source], rotations[source])
                }
            }
            for y in stride(from: 0, to: 25, by: 5) {
                for x in 0..<5 {
                    state[y + x] = moved[y + x] ^ (~moved[y + (x + 1) % 5] & moved[y + (x + 2) % 5])
                }
            }
            state[0] ^= roundConstants[round]
        }
    }

    @inline(__always)
    private static func rotate(_ value: UInt64, _ count: Int) -> UInt64 {
        count == 0 ? value : (value << UInt64(count)) | (value >> UInt64(64 - count))
    }

    /// ρ offsets, indexed by `x + 5y`.
    private static let rotations: [Int] = [
        0, 1, 62, 28, 27,
        36, 44, 6, 55, 20,
        3, 10, 43, 25, 39,
        41, 45, 15, 21, 8,
        18, 2, 61, 56, 14,
    ]

    private static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]
}
